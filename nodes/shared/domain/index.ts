/** The WhatsApp notification domain: pure functions shared by the nodes. */
export * from './notificationTypes';
export * from './templates';
export * from './contentPolicy';
export * from './phone';
export * from './pricing';
export * from './metaErrors';
export * from './window';
export * from './pacing';
