/**
 * npm run emulator -- [--host 127.0.0.1] [--port 8099] [--latency 0] [--cap 80] [--pair-limit 6] [--token T]
 *                     [--app-secret S] [--review-delay 1000]
 */
import { startEmulator, type EmulatorOptions } from './index';

function parseArgs(argv: string[]): EmulatorOptions {
	const o: EmulatorOptions = { port: 8099 };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = () => inline ?? argv[++i];
		switch (flag) {
			case '--host':
				o.host = value();
				break;
			case '--port':
				o.port = Number(value());
				break;
			case '--latency':
				o.latencyMs = Number(value());
				break;
			case '--cap':
				o.throughputCapMps = Number(value());
				break;
			case '--pair-limit':
				o.pairLimitSeconds = Number(value());
				break;
			case '--token':
				o.accessToken = value();
				break;
			case '--app-secret':
				o.appSecret = value();
				break;
			case '--review-delay':
				o.reviewDelayMs = Number(value());
				break;
			case '-h':
			case '--help':
				console.log(
					'usage: npm run emulator -- [--host H] [--port 8099] [--latency MS] [--cap MPS] [--pair-limit S] [--token T] [--app-secret S] [--review-delay MS]',
				);
				process.exit(0);
				break;
			default:
				console.error(`unknown flag ${argv[i]}`);
				process.exit(2);
		}
	}
	return o;
}

async function main(): Promise<void> {
	const emu = await startEmulator(parseArgs(process.argv.slice(2)));
	const o = emu.options;
	console.log(`WhatsApp Cloud API emulator listening on ${emu.url}`);
	console.log(`  access token     ${o.accessToken}`);
	console.log(`  WABA id          ${o.wabaId}`);
	console.log(`  phone number id  ${o.phoneNumbers.map((p) => p.id).join(', ')}`);
	console.log(`  app secret       ${o.appSecret}`);
	console.log(
		`  control API      ${emu.url}/_emulator/  (requests, messages, inbound, clock, faults, templates, config, stats)`,
	);
	let stopping = false;
	const stop = (sig: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${sig}: closing emulator`);
		emu.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
