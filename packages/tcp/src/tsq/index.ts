export * from './tsq.js';
export * from './chrono.js';
export * from './host-queue.js';
export * from './netstack-mib.js';
