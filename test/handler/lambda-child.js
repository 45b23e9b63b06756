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
