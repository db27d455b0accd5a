/**
 * JSON whose shape the dev tools and scripts do not model (n8n's REST answers, workflow files, request bodies the
 * emulator received): read by key, checked where it matters. The one `any` in dev/ and scripts/.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Json = Record<string, any>;
