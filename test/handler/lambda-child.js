// A stand-in for the Lambda runtime: loads the handler bundle once (like a warm
// execution environment) and runs the events the test process sends over IPC.
'use strict';

const https = require('https');

/*
 * HARNESS_CLOCK_SCALE=k runs the handler's clock k times faster (Date.now, setTimeout and
 * clearTimeout, the only clock it uses): a 90 s retry window passes in 90/k s. Tests only; the
 * bundle is unchanged.
 *
 * Only waiting is sped up. While an invocation runs, a ticker looks at the clock every TICK ms;
 * a longer gap between two looks is time the process did not run (the machine was busy, or the
 * handler's own code ran), and it counts once, not k times. Without that, 100 ms in which a
 * loaded machine did not schedule the process would be 5 s to a handler at k = 50, and the
 * handler would seem to answer late, give up early or retry for reasons a Lambda never has.
 * Timers fire when the handler's clock reaches their time.
 *
 * So the handler's clock falls behind the test's (HARNESS_CLOCK_ORIGIN), by what the handler did
 * not run: 25 s in the connector fault suite's 20 s on a loaded machine, minutes beside another
 * heavy suite. Nothing needs the two in step: SigV4 signs by `new Date()`, which is real time in
 * both processes, and the model lookups that compare the handler's time with the emulator's
 * created_time look from a minute before the handler's time, so a handler behind only looks
 * further back (for models of its name and connector).
 *
 * While the handler sends its answer to the response URL, its clock runs at real speed: the
 * harness's stand-in for Amazon S3 is another process on the same busy machine, and how long it
 * takes to read the answer is not the handler's time.
 */
const scale = Number(process.env.HARNESS_CLOCK_SCALE || '1');
const TICK = Number(process.env.HARNESS_CLOCK_TICK_MS || '5');
const clock = scale > 1 ? scaledClock(scale) : { watch() {}, unwatch() {}, realSpeed: () => () => {} };

function scaledClock(k) {
  const realNow = Date.now;
  const realSetTimeout = global.setTimeout;
  const realClearTimeout = global.clearTimeout;
  // HARNESS_CLOCK_ORIGIN lets a test run its own clock (and the emulator's timestamps) in step with this one.
  const origin = Number(process.env.HARNESS_CLOCK_ORIGIN) || realNow();
  let lastReal = realNow();
  let virtual = origin + (lastReal - origin) * k;
  let running = 0;
  let answering = 0;
  let ticker;
  const now = () => {
    const real = realNow();
    const gap = real - lastReal;
    // The ticker fires every TICK ms while the process runs: what a gap holds beyond that (and a
    // millisecond of timer jitter) the process spent not running, or running the handler's code.
    const stalled = answering > 0 ? gap : running > 0 ? Math.max(0, gap - TICK - 1) : 0;
    virtual += (gap - stalled) * k + stalled;
    lastReal = real;
    return virtual;
  };
  Date.now = () => Math.floor(now());
  const VIRTUAL = Symbol('virtual timer');
  global.setTimeout = (fn, ms, ...args) => {
    const timer = { [VIRTUAL]: true, at: now() + Math.max(0, Number(ms) || 0), real: undefined };
    const arm = () => {
      const left = timer.at - now();
      if (left <= 0) fn(...args);
      else timer.real = realSetTimeout(arm, left / k);
    };
    timer.real = realSetTimeout(arm, (timer.at - now()) / k);
    return timer;
  };
  global.clearTimeout = (timer) => realClearTimeout(timer && timer[VIRTUAL] ? timer.real : timer);
  return {
    watch() {
      now();
      if (running++ === 0) ticker = setInterval(now, TICK);
    },
    unwatch() {
      now();
      if (--running === 0) clearInterval(ticker);
    },
    /** the clock runs at real speed until the returned function is called */
    realSpeed() {
      now();
      answering++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        now();
        answering--;
      };
    },
  };
}

/*
 * When each answer left the handler: the start of its first PUT to the response URL, by the
 * handler's clock. How long the harness's stand-in for Amazon S3 (another process, on a busy
 * machine) takes to take it is not the handler's time.
 */
const answerPaths = new Map();
const realRequest = https.request;
https.request = function request(options, ...rest) {
  const pending = options && options.method === 'PUT' && typeof options.path === 'string' ? answerPaths.get(options.path) : undefined;
  if (pending && pending.sentAt === undefined) pending.sentAt = Date.now();
  const req = realRequest.call(this, options, ...rest);
  if (pending) req.once('close', clock.realSpeed());
  return req;
};

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
  clock.watch();
  const started = Date.now();
  const answer = {};
  if (message.responsePath) answerPaths.set(message.responsePath, answer);
  const context = {
    logGroupName: '/aws/lambda/test-provider',
    logStreamName: '2026/11/24/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, message.remainingMs - (Date.now() - started)),
  };
  let outcome;
  try {
    outcome = { result: await handler(message.event, context) };
  } catch (e) {
    outcome = { error: String((e && e.stack) || e) };
  }
  const elapsedMs = Date.now() - started;
  const answeredInMs = answer.sentAt === undefined ? undefined : answer.sentAt - started;
  answerPaths.delete(message.responsePath);
  clock.unwatch();
  process.stdout.write(`@@END ${message.id}\n`, () => process.send({ id: message.id, ...outcome, elapsedMs, answeredInMs }));
});
process.send({ ready: true });
