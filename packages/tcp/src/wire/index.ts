export * from './tcp-header.js';
export * from './tcp-options.js';
export * from './tcp-repr.js';
