/**
 * Meta's WhatsApp webhooks as plain functions: the X-Hub-Signature-256 check over the raw body, the payload read
 * into normalised events, and duplicate suppression with bounded memory. No n8n runtime calls.
 *
 * Pipeline (the Session Window Trigger runs exactly this):
 *   raw body → verifySignature → parseWebhookBody → processWebhook(payload, {dedupe, windows, keywords}) → events
 *
 *   signature.ts       X-Hub-Signature-256
 *   parse.ts           raw body → payload (size, JSON, envelope)
 *   events.ts          the event types users' workflows read, and the trigger's "Events" groups
 *   process.ts         payload → events, each change once; reading.ts, messages.ts, statuses.ts,
 *                      templateChanges.ts and windowEvents.ts read the parts
 *   dedupe.ts          bounded memories: changes seen, last inbound time per contact
 *   logging.ts         throttled, redacted log lines
 */
export * from './signature';
export * from './parse';
export * from './events';
export { mapErrors } from './reading';
export { parseCorrelation } from './statuses';
export * from './dedupe';
export * from './process';
export * from './logging';
