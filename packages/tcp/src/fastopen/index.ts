export * from './constants.js';
export { FastopenCookie, FastopenMetrics, TcpFastopenCache } from './client-cache.js';
export { TcpFastopenContext, formatFastopenKeys, parseFastopenKeys } from './cookie.js';
export { TcpFastopenNet, TcpFastopenSock } from './state.js';
