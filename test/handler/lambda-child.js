// A stand-in for the Lambda runtime: loads the handler bundle once (like a warm
// execution environment) and runs the events the test process sends over IPC.
'use strict';

// HARNESS_CLOCK_SCALE=k runs the handler's clock k times faster (Date.now and setTimeout, the
// only clock it uses): a 90 s retry window passes in 90/k s. Tests only; the bundle is unchanged.
const scale = Number(process.env.HARNESS_CLOCK_SCALE || '1');
if (scale > 1) {
  const realNow = Date.now;
  const realSetTimeout = global.setTimeout;
  // HARNESS_CLOCK_ORIGIN lets a test run its own clock (and the emulator's timestamps) in step with this one.
  const origin = Number(process.env.HARNESS_CLOCK_ORIGIN) || realNow();
  Date.now = () => origin + Math.round((realNow() - origin) * scale);
  global.setTimeout = (fn, ms, ...args) => realSetTimeout(fn, Math.max(0, (Number(ms) || 0) / scale), ...args);
}

// No network beyond this machine: a host name other than localhost is not resolved. The
// attempt is printed for the harness, which fails the invocation with the host's name
// (except for names under '.invalid', which never resolve anywhere).
const dns = require('node:dns');
const realLookup = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  const done = typeof options === 'function' ? options : callback;
  if (hostname === 'localhost' || /^127\./.test(hostname) || hostname === '::1') return realLookup.apply(this, arguments);
  // '.invalid' never resolves (RFC 2606): tests use it for a domain that is gone; answer so without asking DNS.
  if (!/\.invalid$/.test(hostname)) process.stdout.write(`@@BLOCKED ${hostname}\n`);
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (the test harness resolves localhost only)`), { code: 'ENOTFOUND', hostname });
  process.nextTick(() => done(error));
  return undefined;
};

const assetPath = process.argv[2];
const { handler } = require(assetPath);

process.on('message', async (message) => {
  const started = Date.now();
  const context = {
    logGroupName: '/aws/lambda/test-provider',
    logStreamName: '2026/11/24/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, message.remainingMs - (Date.now() - started)),
  };
  try {
    const result = await handler(message.event, context);
    const elapsedMs = Date.now() - started;
    process.stdout.write(`@@END ${message.id}\n`, () => process.send({ id: message.id, result, elapsedMs }));
  } catch (e) {
    const elapsedMs = Date.now() - started;
    process.stdout.write(`@@END ${message.id}\n`, () => process.send({ id: message.id, error: String(e && e.stack || e), elapsedMs }));
  }
});
process.send({ ready: true });
