'use strict';
// Sends Node's built-in fetch and node:https through the HTTPS_PROXY of `signup-harness verify --intercept`.
//
// Node 20 honours NODE_EXTRA_CA_CERTS (the harness CA) but not HTTPS_PROXY: neither its fetch (undici) nor
// node:https use a proxy by themselves. verify loads this file into the partner's Node process with
// NODE_OPTIONS="--require <this file>", so an unmodified backend that calls https://graph.facebook.com reaches
// the fakes. Only built-in modules are used. Hosts in NO_PROXY are connected to directly.
//
//   fetch:       the global dispatcher becomes an undici Agent whose connector opens a CONNECT tunnel
//   node:https:  https.globalAgent becomes an Agent whose createConnection opens a CONNECT tunnel
//
// The proxy URL's user name (the scenario's tenant) is sent as Proxy-Authorization, as curl and requests do.

const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const tls = require('node:tls');

const PROXY = process.env.HTTPS_PROXY || process.env.https_proxy || '';
const DISPATCHER = Symbol.for('undici.globalDispatcher.1');

function parseNoProxy(text) {
  return text
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
}

function bypassed(host, noProxy) {
  const name = String(host).toLowerCase().replace(/^\[|\]$/g, '');
  return noProxy.some((entry) => {
    if (entry === '*') return true;
    const bare = entry.replace(/^\*?\./, '').replace(/:\d+$/, '');
    return name === bare || name.endsWith(`.${bare}`);
  });
}

function openTunnel(proxy, host, port, callback) {
  const headers = { host: `${host}:${port}` };
  if (proxy.username) {
    const user = decodeURIComponent(proxy.username);
    const password = decodeURIComponent(proxy.password);
    headers['proxy-authorization'] = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  const request = http.request({
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: Number(proxy.port) || 80,
    method: 'CONNECT',
    path: `${host}:${port}`,
    headers,
    agent: false,
  });
  request.once('connect', (response, socket) => {
    if (response.statusCode !== 200) {
      socket.destroy();
      callback(new Error(`proxy ${proxy.host} refused CONNECT ${host}:${port}: ${response.statusCode} ${response.statusMessage}`));
      return;
    }
    callback(null, socket);
  });
  request.once('error', callback);
  request.end();
}

function secure(socket, servername, callback) {
  const secured = tls.connect({ socket, servername, ALPNProtocols: ['http/1.1'] });
  secured.once('secureConnect', () => callback(null, secured));
  secured.once('error', (error) => callback(error));
  return secured;
}

function install(proxy, noProxy) {
  // fetch: undici's Agent accepts a connector function (options, callback) -> socket.
  void globalThis.Headers; // loads Node's bundled undici, which creates the global dispatcher
  const current = globalThis[DISPATCHER];
  if (current && typeof current.constructor === 'function') {
    const Agent = current.constructor;
    globalThis[DISPATCHER] = new Agent({
      connect(options, callback) {
        const host = options.hostname;
        const https_ = options.protocol === 'https:';
        const port = Number(options.port) || (https_ ? 443 : 80);
        if (!https_ || bypassed(host, noProxy)) {
          const direct = https_
            ? tls.connect({ host, port, servername: options.servername || host, ALPNProtocols: ['http/1.1'] })
            : net.connect({ host, port });
          direct.once(https_ ? 'secureConnect' : 'connect', () => callback(null, direct));
          direct.once('error', (error) => callback(error));
          return;
        }
        openTunnel(proxy, host, port, (error, socket) => {
          if (error) return callback(error);
          secure(socket, options.servername || host, callback);
        });
      },
    });
  }

  // node:https: https.request() reads https.globalAgent on every call.
  class TunnelAgent extends https.Agent {
    createConnection(options, callback) {
      const host = options.host || options.hostname || 'localhost';
      const port = Number(options.port) || 443;
      if (bypassed(host, noProxy)) return super.createConnection(options, callback);
      openTunnel(proxy, host, port, (error, socket) => {
        if (error) return callback(error);
        const secured = tls.connect({ ...options, socket, servername: options.servername || host });
        callback(null, secured);
      });
      return undefined;
    }
  }
  https.globalAgent = new TunnelAgent({ keepAlive: false });
}

if (PROXY) {
  install(new URL(PROXY), parseNoProxy(process.env.NO_PROXY || process.env.no_proxy || ''));
}
