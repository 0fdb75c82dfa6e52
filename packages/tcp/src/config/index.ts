export * from './tcp-sysctls.js';
export * from './tcp-mib.js';
export * from './tcp-info.js';
