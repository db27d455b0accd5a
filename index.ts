/**
 * Programmatic entry point: the WhatsApp domain (notification types and categories, templates, content policy,
 * phone numbers, pricing, Meta's error table, the service window, pacing) as plain functions.
 * n8n itself loads the nodes and credentials listed in package.json's "n8n" block, not this file.
 */
export * from './nodes/shared/domain/index';
