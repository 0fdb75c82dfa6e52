export * from './cong-ops.js';
export * from './cubic.js';
export * from './registry.js';
