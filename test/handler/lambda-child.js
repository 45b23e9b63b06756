// A stand-in for the Lambda runtime: loads the handler bundle once (like a warm
// execution environment) and runs the events the test process sends over IPC.
'use strict';
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
    process.stdout.write(`@@END ${message.id}\n`, () => process.send({ id: message.id, result }));
  } catch (e) {
    process.stdout.write(`@@END ${message.id}\n`, () => process.send({ id: message.id, error: String(e && e.stack || e) }));
  }
});
process.send({ ready: true });
