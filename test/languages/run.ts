/*
 * `npm run test:languages`: the library as Python, Java and Go users get it.
 *
 *  1. jsii-rosetta compiles every TypeScript snippet of the README in strict mode (fixtures in
 *     rosetta/) and translates them: the tablet the packages' docs, and Construct Hub, show.
 *  2. The TypeScript example app (examples/app.ts) is synthesized: the reference.
 *  3. For each of Python, Java and Go: jsii-pacmak builds the package into dist/ (wheel, Maven
 *     repository with the jar, Go module); the example app of examples/<language> is built against
 *     it and aws-cdk-lib from that language's registry, and synthesized; each stack template of the
 *     TypeScript app must come out byte for byte the same. Python also checks the README's opening
 *     example, as translated, against examples/python/app.py (test/languages/readme_translation.py).
 *
 * Nothing is normalized: templates hold no absolute path (the `aws:asset:path` metadata is only
 * written when the CDK CLI asks for it), and the handler asset's hash is computed from its content,
 * which is the same file in every package.
 *
 * What it installs lives outside the repository, reused by the next run: a Python virtual
 * environment under $CDK_OPENSEARCH_ML_CACHE (default ~/.cache/cdk-opensearch-ml), the Maven
 * repository ~/.m2/repository, Go's module and build caches. Logs and synthesized apps go to
 * dist/languages/. The last line is `languages: python <ok|failed>, java <ok|failed>, go <ok|failed>`.
 *
 * LANGUAGES_JOBS=<n> runs n languages at a time. The default, 2, was the fastest on this project's
 * 2-core machine (shared with other work, load 8 to 12), for `npm run test:languages` in all:
 * cold caches 7 min 52 s (1 at a time: 10 min 46 s, 3: 9 min 18 s), warm 3 min 27 s (4 min 0 s,
 * 4 min 22 s). Cold, Maven's downloads dominate, so Java goes first, beside Python then Go.
 * On a quiet machine (load 2.3, December 2026): cold 3 min 34 s (empty venv, Maven repository and Go
 * caches), warm 1 min 39 s.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const WORK = path.join(DIST, 'languages');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const CACHE = process.env.CDK_OPENSEARCH_ML_CACHE ?? path.join(os.homedir(), '.cache', 'cdk-opensearch-ml');
// Maven takes its home from the password database, not $HOME: name the repository explicitly,
// so that a run with another HOME (a cold run) gets another repository.
const M2 = path.join(os.homedir(), '.m2', 'repository');
const TABLET = path.join(ROOT, '.jsii.tabl.json');
const JOBS = Math.max(1, Number(process.env.LANGUAGES_JOBS ?? 2));

const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  jsii: { targets: { java: { maven: { groupId: string; artifactId: string } } } };
};
const JAVA_TARGET = PACKAGE.jsii.targets.java.maven;

const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${BIN}${path.delimiter}${process.env.PATH}`,
  // The jsii tools and runtimes print a banner about Node.js 20's end of life on every start.
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0],
};

const seconds = (ms: number) => ms / 1000;
function duration(s: number): string {
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/**
 * Runs a command, its output appended to `log`, and resolves with that output; rejects with the
 * command line and exit code (the output is in the log).
 */
function run(command: string, args: string[], options: { cwd?: string; log: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  fs.appendFileSync(options.log, `\n$ ${[command, ...args].join(' ')}${options.cwd ? `   (in ${path.relative(ROOT, options.cwd) || '.'})` : ''}\n`);
  const from = fs.statSync(options.log).size;
  const output = () => fs.readFileSync(options.log).subarray(from).toString('utf8');
  return new Promise((resolve, reject) => {
    const out = fs.openSync(options.log, 'a');
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: { ...env, ...options.env }, stdio: ['ignore', out, out] });
    child.on('error', (error) => { fs.closeSync(out); reject(error); });
    child.on('close', (code, signal) => {
      fs.closeSync(out);
      if (code === 0) resolve(output());
      else reject(Object.assign(new Error(`${[command, ...args].join(' ')} exited with ${signal ?? code}`), { output: output() }));
    });
  });
}

/**
 * One holder at a time per name, across processes (two checkouts on one machine share the
 * virtual environment and the Maven repository, where each run installs its own build of the
 * package under the same version). The lock is a directory holding the holder's PID; a lock
 * whose holder is gone is taken over.
 */
async function withLock<T>(name: string, log: string, fn: () => Promise<T>): Promise<T> {
  const dir = path.join(CACHE, 'locks', `${name}.lock`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const started = Date.now();
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.existsSync(path.join(dir, 'pid')) ? fs.readFileSync(path.join(dir, 'pid'), 'utf8') : NaN);
      let alive = true;
      try {
        process.kill(holder, 0);
      } catch {
        alive = Number.isNaN(holder) && Date.now() - fs.statSync(dir).mtimeMs < 10_000; // being written
      }
      if (!alive) {
        fs.rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (!told) {
        fs.appendFileSync(log, `waiting for ${dir}, held by process ${holder}\n`);
        told = true;
      }
      if (Date.now() - started > 30 * 60_000) throw new Error(`${dir} has been held by process ${holder} for 30 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** jsii-pacmak for one target, into dist/<target>, with the README translations of the tablet. */
function pacmak(target: string, log: string, extraArgs: string[] = []) {
  return run(path.join(BIN, 'jsii-pacmak'), [
    '-v', '--force', '--no-npmignore', '--target', target, '--rosetta-tablet', TABLET, ...extraArgs,
  ], { log });
}

/**
 * The README's ```<fence> blocks are excerpts of the example app: each of their lines (trimmed)
 * is a line of `sources`, in the same order. Throws with the first line that is not.
 */
function readmeExcerpts(fence: string, sources: string[]): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(new RegExp('^```' + fence + '\\n([\\s\\S]*?)^```', 'gm'))].map((m) => m[1]);
  if (blocks.length === 0) throw new Error(`README.md has no \`\`\`${fence} block`);
  const source = sources.flatMap((file) => fs.readFileSync(file, 'utf8').split('\n').map((line) => line.trim()));
  const where = sources.map((file) => path.relative(ROOT, file)).join(', ');
  let lines = 0;
  for (const block of blocks) {
    let at = 0;
    for (const line of block.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const found = source.indexOf(line, at);
      if (found < 0) throw new Error(`README.md's \`\`\`${fence} block has a line that is not in ${where} (in this order): ${line}`);
      at = found + 1;
      lines++;
    }
  }
  return `README \`\`\`${fence}: ${blocks.length} block(s), ${lines} lines, all in ${where}`;
}

interface Step { name: string; seconds: number }
interface Outcome { steps: Step[]; notes: string[]; problems: string[] }

/**
 * What one language does. `step` times a part of the build: a failure stops the language.
 * `check` times a check: its result lines go to the report, and a failure is one problem more.
 */
interface PipelineContext {
  log: string;
  outdir: string;
  step: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  check: (name: string, fn: () => Promise<string> | string) => Promise<void>;
}
type Pipeline = (ctx: PipelineContext) => Promise<void>;

const PIPELINES: Record<'python' | 'java' | 'go', Pipeline> = {
  python: async ({ log, outdir, step, check }) => {
    await step('package', () => pacmak('python', log));
    const wheels = fs.readdirSync(path.join(DIST, 'python')).filter((f) => f.endsWith('.whl'));
    if (wheels.length !== 1) throw new Error(`expected one wheel in dist/python, found ${wheels.join(', ') || 'none'}`);
    const wheel = path.join(DIST, 'python', wheels[0]);
    const app = path.join(ROOT, 'examples', 'python');
    await withLock('python', log, async () => {
      // One environment per Python minor version: a venv is tied to the interpreter it was made with.
      const version = (await run('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { log })).trim();
      const venv = path.join(CACHE, `venv-python${version}`);
      const python = path.join(venv, 'bin', 'python');
      await step('install', async () => {
        if (!fs.existsSync(python)) await run('python3', ['-m', 'venv', venv], { log });
        // The wheel first, and again on every run: its version (package.json's) does not change between builds.
        await run(python, ['-m', 'pip', 'install', '-q', '--force-reinstall', '--no-deps', wheel], { log });
        await run(python, ['-m', 'pip', 'install', '-q', wheel, '-r', path.join(app, 'requirements.txt')], { log });
      });
      await step('synth', () => run(python, ['app.py'], { cwd: app, log, env: { CDK_OUTDIR: outdir } }));
      await check('README translation', () => run(python, [
        path.join(__dirname, 'readme_translation.py'), TABLET, 'README.md', path.join('examples', 'python', 'app.py'),
      ], { log }));
    });
    await check('README excerpt', () => readmeExcerpts('python', [path.join(app, 'app.py')]));
  },

  java: async ({ log, outdir, step, check }) => {
    const app = path.join(ROOT, 'examples', 'java');
    // Maven's local repository is shared by checkouts and holds this package's jar under a version
    // that does not change between builds: one Maven user at a time.
    await withLock('maven', log, async () => {
      await step('package', () => pacmak('java', log, [`--maven-local-repository=${M2}`]));
      await step('install', async () => {
        const relative = path.join(...JAVA_TARGET.groupId.split('.'), JAVA_TARGET.artifactId, PACKAGE.version);
        const built = path.join(DIST, 'java', relative);
        const installed = path.join(M2, relative);
        fs.rmSync(installed, { recursive: true, force: true });
        fs.mkdirSync(installed, { recursive: true });
        for (const file of fs.readdirSync(built)) fs.copyFileSync(path.join(built, file), path.join(installed, file));
        fs.appendFileSync(log, `\ncopied ${path.relative(ROOT, built)} to ${installed} (a locally installed artifact, as mvn install would)\n`);
      });
      await step('build and synth', () => run('mvn', [
        '-B', '-q', '-e', `-Dmaven.repo.local=${M2}`, `-Dcdk-opensearch-ml.version=${PACKAGE.version}`, 'compile', 'exec:java',
      ], { cwd: app, log, env: { CDK_OUTDIR: outdir } }));
    });
    const sources = path.join(app, 'src', 'main', 'java', 'com', 'example', 'semanticsearch');
    await check('README excerpt', () => readmeExcerpts('java', fs.readdirSync(sources).map((f) => path.join(sources, f))));
  },

  go: async ({ log, outdir, step, check }) => {
    const app = path.join(ROOT, 'examples', 'go');
    // pacmak runs `go build` on the module it generates, against the aws-cdk-go of our aws-cdk-lib
    // floor (v2.240.0, as the example requires): the release pipeline's `npx projen package:go` does the same.
    await step('package', () => pacmak('go', log));
    const binary = path.join(WORK, 'go', 'semantic-search');
    await step('build', () => run('go', ['build', '-o', binary, '.'], { cwd: app, log }));
    await step('synth', () => run(binary, [], { cwd: app, log, env: { CDK_OUTDIR: outdir } }));
    await check('README excerpt', () => readmeExcerpts('go', [path.join(app, 'semantic-search.go')]));
  },
};

interface Stack { artifact: string; templateFile: string }
function stacks(assembly: string): Stack[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(assembly, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([artifact, a]) => ({ artifact, templateFile: a.properties!.templateFile! }));
}

/** The first line where two texts differ (1-based), with both lines; undefined when equal. */
export function firstDifference(expected: string, actual: string): { line: number; expected: string; actual: string } | undefined {
  if (expected === actual) return undefined;
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) return { line: i + 1, expected: e[i] ?? '(end of file)', actual: a[i] ?? '(end of file)' };
  }
  return { line: e.length, expected: '(same lines, other bytes)', actual: '(same lines, other bytes)' };
}

/** Differences between the reference assembly and a language's: stacks, then templates byte for byte. */
function compare(reference: string, language: string, name: string): string[] {
  const problems: string[] = [];
  if (!fs.existsSync(path.join(language, 'manifest.json'))) return [`${name} synthesized no cloud assembly into ${path.relative(ROOT, language)}`];
  const want = stacks(reference);
  const got = stacks(language);
  const names = (s: Stack[]) => s.map((x) => x.artifact).sort().join(', ') || 'none';
  if (names(want) !== names(got)) problems.push(`stacks: the TypeScript app has ${names(want)}, the ${name} app ${names(got)}`);
  for (const stack of want) {
    const mine = got.find((s) => s.artifact === stack.artifact);
    if (!mine) continue;
    const expected = fs.readFileSync(path.join(reference, stack.templateFile), 'utf8');
    const actual = fs.readFileSync(path.join(language, mine.templateFile), 'utf8');
    const diff = firstDifference(expected, actual);
    if (diff) {
      problems.push(`${stack.templateFile} differs from the TypeScript app's at line ${diff.line}:\n`
        + `    typescript: ${diff.expected.trim()}\n    ${name.padEnd(10)}: ${diff.actual.trim()}`);
    }
  }
  return problems;
}

async function main() {
  const started = Date.now();
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  console.log(`test:languages: logs in ${path.relative(ROOT, WORK)}/, caches in ${CACHE}, ${M2}, Go's module and build caches`);

  // 1. The README's snippets, compiled and translated.
  const rosettaLog = path.join(WORK, 'rosetta.log');
  fs.writeFileSync(rosettaLog, '');
  let rosettaOk = true;
  const rosettaStart = Date.now();
  // Without the last run's tablet, which rosetta would reuse for unchanged snippets even when a fixture changed.
  fs.rmSync(TABLET, { force: true });
  try {
    await run(path.join(BIN, 'jsii-rosetta'), ['extract', '--strict', '.jsii'], { log: rosettaLog });
  } catch {
    rosettaOk = false;
  }
  const rosettaText = fs.readFileSync(rosettaLog, 'utf8');
  const snippetCount = fs.existsSync(TABLET) ? Object.keys((JSON.parse(fs.readFileSync(TABLET, 'utf8')) as { snippets: object }).snippets).length : 0;
  if (rosettaOk) {
    console.log(`README snippets: ${snippetCount} compiled in strict mode and translated (jsii-rosetta, ${duration(seconds(Date.now() - rosettaStart))})`);
  } else {
    console.log(`README snippets: jsii-rosetta --strict failed (${duration(seconds(Date.now() - rosettaStart))}); every language is reported failed:`);
    console.log(rosettaText.split('\n').filter((l) => / error TS|ERROR/.test(l)).slice(0, 30).map((l) => `  ${l}`).join('\n'));
  }

  // 2. The reference: the TypeScript example app.
  const reference = path.join(WORK, 'typescript', 'cdk.out');
  const tsLog = path.join(WORK, 'typescript.log');
  fs.writeFileSync(tsLog, '');
  const tsStart = Date.now();
  try {
    // Type-checked by `npm test` (its tests synthesize the same app); here it only runs.
    await run(path.join(BIN, 'ts-node'), ['--project', 'tsconfig.dev.json', '--transpile-only', 'examples/app.ts'], { log: tsLog, env: { CDK_OUTDIR: reference } });
    if (stacks(reference).length === 0) throw new Error('examples/app.ts synthesized no stack');
  } catch (error) {
    console.log(`typescript: examples/app.ts failed to synthesize: ${(error as Error).message}\n${tail(tsLog)}`);
    console.log('languages: python failed, java failed, go failed');
    process.exit(1);
  }
  console.log(`typescript: examples/app.ts synthesized ${stacks(reference).map((s) => s.templateFile).join(', ')} (${duration(seconds(Date.now() - tsStart))})`);

  // 3. The languages.
  const results: Partial<Record<keyof typeof PIPELINES, Outcome & { seconds: number }>> = {};
  // Longest first: Java (Maven's downloads, javadoc) beside Python, then Go.
  const queue: (keyof typeof PIPELINES)[] = ['java', 'python', 'go'];
  const worker = async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      const log = path.join(WORK, `${name}.log`);
      fs.writeFileSync(log, '');
      const outdir = path.join(WORK, name, 'cdk.out');
      fs.mkdirSync(path.dirname(outdir), { recursive: true });
      const outcome: Outcome = { steps: [], notes: [], problems: [] };
      const start = Date.now();
      const timed = async <T>(stepName: string, fn: () => Promise<T>): Promise<T> => {
        const t = Date.now();
        try {
          return await fn();
        } finally {
          outcome.steps.push({ name: stepName, seconds: seconds(Date.now() - t) });
        }
      };
      let current = 'start';
      try {
        await PIPELINES[name]({
          log,
          outdir,
          step: (stepName, fn) => {
            current = stepName;
            return timed(stepName, fn);
          },
          check: async (checkName, fn) => {
            try {
              outcome.notes.push(...(await timed(checkName, async () => fn())).trimEnd().split('\n'));
            } catch (error) {
              const output = String((error as { output?: string }).output ?? '').trimEnd();
              if (output) outcome.notes.push(...output.split('\n'));
              outcome.problems.push(`${checkName}: ${(error as Error).message}`);
            }
          },
        });
        outcome.problems.unshift(...compare(reference, outdir, name));
      } catch (error) {
        outcome.problems.unshift(`${current} failed: ${(error as Error).message}\n${tail(log)}`);
      }
      if (!rosettaOk) outcome.problems.push('the README\'s snippets do not all compile (jsii-rosetta --strict, above)');
      results[name] = { ...outcome, seconds: seconds(Date.now() - start) };
      report(name, results[name]!, reference);
    }
  };
  await Promise.all(Array.from({ length: Math.min(JOBS, queue.length) }, worker));

  const names = Object.keys(PIPELINES) as (keyof typeof PIPELINES)[];
  console.log(`languages: ${duration(seconds(Date.now() - started))} in all (`
    + names.map((n) => `${n} ${duration(results[n]!.seconds)}`).join(', ') + `; ${JOBS} at a time); artifacts: ${artifacts()}`);
  const ok = (n: keyof typeof PIPELINES) => results[n]!.problems.length === 0;
  console.log(`languages: ${names.map((n) => `${n} ${ok(n) ? 'ok' : 'failed'}`).join(', ')}`);
  process.exitCode = names.every(ok) ? 0 : 1;
}

function report(name: string, outcome: Outcome & { seconds: number }, reference: string) {
  const steps = outcome.steps.map((s) => `${s.name} ${duration(s.seconds)}`).join(', ');
  if (outcome.problems.length === 0) {
    const templates = stacks(reference).map((s) => s.templateFile).join(', ');
    console.log(`${name}: ${steps}; ${templates} identical to the TypeScript app's`);
  } else {
    console.log(`${name}: FAILED (${steps})`);
    for (const problem of outcome.problems) console.log(`  ${problem}`);
  }
  for (const line of outcome.notes) console.log(`  ${line}`);
}

function tail(log: string, lines = 40): string {
  const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trimEnd().split('\n') : [];
  return `  last lines of ${path.relative(ROOT, log)}:\n${text.slice(-lines).map((l) => `    ${l}`).join('\n')}`;
}

/** The artifacts' sizes: the wheel, the jar, the Go module's source. */
function artifacts(): string {
  const size = (file: string) => fs.statSync(file).size;
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  const parts: string[] = [];
  const python = path.join(DIST, 'python');
  for (const f of fs.existsSync(python) ? fs.readdirSync(python).filter((x) => x.endsWith('.whl')) : []) parts.push(`${f} ${kb(size(path.join(python, f)))}`);
  const jar = path.join(DIST, 'java', ...JAVA_TARGET.groupId.split('.'), JAVA_TARGET.artifactId, PACKAGE.version, `${JAVA_TARGET.artifactId}-${PACKAGE.version}.jar`);
  if (fs.existsSync(jar)) parts.push(`${path.basename(jar)} ${kb(size(jar))}`);
  const go = path.join(DIST, 'go');
  if (fs.existsSync(go)) {
    let total = 0;
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(path.join(dir, entry.name));
        else total += size(path.join(dir, entry.name));
      }
    };
    walk(go);
    parts.push(`Go module (dist/go) ${kb(total)}`);
  }
  return parts.join(', ') || 'none';
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    console.log('languages: python failed, java failed, go failed');
    process.exit(1);
  });
}
