/**
 * Fetches, installs and runs real OpenSearch nodes for the real tier (versions in versions.ts).
 *
 * - Fetch: one `mvn dependency:copy` run into a cache outside the repository
 *   (`$OPENSEARCH_CACHE`, default `~/.cache/cdk-opensearch-ml`) with its own local Maven repository, so a
 *   cold cache is really cold and nothing lands in ~/.m2.
 * - Install: the integ-test zip unpacked, the modules assembled, the plugins installed in order with
 *   `opensearch-plugin install --batch`, the security plugin's offline demo configuration (TLS on) plus the
 *   `proxy` authenticator that the front door hands IAM callers to. The installed tree is cached, keyed by
 *   a hash of its NodeVersion and this file's install steps; installs run in a temporary folder and are
 *   renamed into place, so two engineers installing at once do not see half a tree.
 * - Run: each run gets its own folder (the tree hard-linked, config copied, fresh data and logs), free ports
 *   picked by the OS, a non-root user (OpenSearch refuses root, CI runs as root), and is stopped by stop().
 *
 * CLI (for a person): `npx ts-node --project tsconfig.dev.json test/real/opensearch-node.ts [install|start] [id...]`
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAVEN_DEPENDENCY_PLUGIN, ModuleAssembly, NODE_VERSIONS, NodeVersion } from './versions';

/** Bump when the install steps change, so cached trees are rebuilt. */
const INSTALL_LAYOUT = 1;
/** The user the nodes run as when the tests run as root. */
const NODE_USER = 'cdk-opensearch-test';
const HEALTH_TIMEOUT_MS = 300_000;

export function cacheDir(): string {
  return process.env.OPENSEARCH_CACHE ?? path.join(os.homedir(), '.cache', 'cdk-opensearch-ml');
}

/** What the tests need to reach a running node. */
export interface NodeInfo {
  readonly id: string;
  readonly coreVersion: string;
  /** http(s)://127.0.0.1:<port> */
  readonly url: string;
  /** the demo CA (security plugin nodes), to verify the node's certificate */
  readonly caPem?: string;
  /** the security plugin's admin user (security plugin nodes) */
  readonly admin?: { readonly username: string; readonly password: string };
  readonly security: boolean;
  readonly pid: number;
  readonly runDir: string;
}

export interface RunningNode extends NodeInfo {
  stop(): Promise<void>;
}

/** Java and Maven must be there before anything else: say what to install. */
export function javaHomeFor(version: NodeVersion): string {
  const candidates = [
    process.env[`OPENSEARCH_JAVA_HOME_${version.java.min}`],
    ...(fs.existsSync('/usr/lib/jvm') ? fs.readdirSync('/usr/lib/jvm').map((d) => path.join('/usr/lib/jvm', d)) : []),
  ].filter((d): d is string => !!d);
  for (const home of candidates) {
    const major = javaMajor(home);
    if (major !== undefined && major >= version.java.min && major <= version.java.max) return home;
  }
  const want = version.java.min === version.java.max ? `Java ${version.java.min}` : `Java ${version.java.min} or later`;
  const hint = version.java.min === 17 ? 'apt-get install openjdk-17-jdk-headless' : 'a JDK 21+ such as Temurin 25 under /usr/lib/jvm';
  throw new Error(`OpenSearch ${version.coreVersion} needs ${want}: none found under /usr/lib/jvm `
    + `(or set OPENSEARCH_JAVA_HOME_${version.java.min}). Install ${hint}.`);
}

function javaMajor(home: string): number | undefined {
  try {
    const release = fs.readFileSync(path.join(home, 'release'), 'utf8');
    const m = /JAVA_VERSION="(\d+)(?:\.(\d+))?/.exec(release);
    if (!m || !fs.existsSync(path.join(home, 'bin', 'java'))) return undefined;
    return Number(m[1]) === 1 ? Number(m[2]) : Number(m[1]);
  } catch {
    return undefined;
  }
}

export function requireMaven(): void {
  const probe = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error('the real OpenSearch tier fetches OpenSearch from Maven Central with Maven: `mvn` was not found. Install it (apt-get install maven).');
  }
}

function fingerprint(version: NodeVersion): string {
  return createHash('sha256').update(JSON.stringify({ version, INSTALL_LAYOUT })).digest('hex').slice(0, 12);
}

function installDir(version: NodeVersion): string {
  return path.join(cacheDir(), 'nodes', `${version.coreVersion}-${fingerprint(version)}`);
}

function artifactDir(version: NodeVersion): string {
  return path.join(cacheDir(), 'artifacts', version.coreVersion);
}

interface Coordinates { groupId: string; artifactId: string; version: string; type: string }

function artifactsOf(version: NodeVersion): Coordinates[] {
  const jar = (gav: string): Coordinates => {
    const [groupId, artifactId, v] = gav.split(':');
    return { groupId, artifactId, version: v, type: 'jar' };
  };
  return [
    { groupId: 'org.opensearch.distribution.integ-test-zip', artifactId: 'opensearch', version: version.coreVersion, type: 'zip' },
    ...version.plugins.map((p) => ({ groupId: p.groupId, artifactId: p.artifactId, version: p.version, type: 'zip' })),
    ...version.modules.flatMap((m) => m.jars.map(jar)),
  ];
}

function fileName(c: Coordinates): string {
  return `${c.artifactId}-${c.version}.${c.type}`;
}

/** One Maven run for every version whose artifacts are not all in the cache yet. */
export function fetchArtifacts(versions: readonly NodeVersion[], log: (line: string) => void = () => {}): void {
  const missing = versions.filter((v) => artifactsOf(v).some((c) => !fs.existsSync(path.join(artifactDir(v), fileName(c)))));
  if (missing.length === 0) return;
  requireMaven();
  const work = path.join(cacheDir(), 'maven');
  fs.mkdirSync(work, { recursive: true });
  const executions = missing.map((v) => `
        <execution>
          <id>node-${v.coreVersion}</id>
          <configuration>
            <outputDirectory>${artifactDir(v)}</outputDirectory>
            <artifactItems>${artifactsOf(v).map((c) => `
              <artifactItem><groupId>${c.groupId}</groupId><artifactId>${c.artifactId}</artifactId><version>${c.version}</version><type>${c.type}</type></artifactItem>`).join('')}
            </artifactItems>
          </configuration>
        </execution>`).join('');
  const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>cdk-opensearch-ml</groupId><artifactId>real-tier-fetch</artifactId><version>1</version><packaging>pom</packaging>
  <build><plugins><plugin>
    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>${MAVEN_DEPENDENCY_PLUGIN}</version>
    <executions>${executions}
    </executions>
  </plugin></plugins></build>
</project>
`;
  // One pom per run: two installs at once must not read each other's.
  const pomFile = path.join(work, `pom-${process.pid}-${randomBytes(3).toString('hex')}.xml`);
  fs.writeFileSync(pomFile, pom);
  const goals = missing.map((v) => `dependency:copy@node-${v.coreVersion}`);
  log(`fetching OpenSearch ${missing.map((v) => v.coreVersion).join(', ')} from Maven Central into ${cacheDir()}`);
  const result = spawnSync('mvn', ['-B', '-q', `-Dmaven.repo.local=${path.join(cacheDir(), 'm2')}`, '-f', pomFile, ...goals], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  fs.rmSync(pomFile, { force: true });
  if (result.status !== 0) {
    throw new Error(`mvn dependency:copy failed (exit ${result.status}):\n${(result.stdout + result.stderr).split('\n').filter((l) => /ERROR/.test(l)).slice(0, 10).join('\n')}`);
  }
}

function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): string {
  const result = spawnSync(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`.slice(0, 4000));
  }
  return result.stdout;
}

/** Installs `version` into the cache if it is not there yet; returns the installed tree. */
export function installNode(version: NodeVersion, log: (line: string) => void = () => {}): string {
  const target = installDir(version);
  if (fs.existsSync(path.join(target, '.installed'))) return target;
  fetchArtifacts([version], log);
  const javaHome = javaHomeFor(version);
  log(`installing OpenSearch ${version.coreVersion} into ${target}`);
  const staging = `${target}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  fs.mkdirSync(staging, { recursive: true });
  try {
    const artifacts = artifactDir(version);
    run('unzip', ['-q', path.join(artifacts, `opensearch-${version.coreVersion}.zip`), '-d', staging]);
    const home = path.join(staging, `opensearch-${version.coreVersion}`);
    for (const module of version.modules) assembleModule(home, module, version, artifacts);
    const env = { JAVA_HOME: javaHome, OPENSEARCH_JAVA_HOME: javaHome };
    for (const plugin of version.plugins) {
      let zip = path.join(artifacts, `${plugin.artifactId}-${plugin.version}.zip`);
      if (plugin.restamp) zip = restamp(zip, version.coreVersion, staging);
      run(path.join(home, 'bin', 'opensearch-plugin'), ['install', '--batch', `file://${zip}`], { env });
    }
    writeConfig(home, version, javaHome);
    fs.writeFileSync(path.join(staging, '.installed'), JSON.stringify({ version, installedAt: new Date().toISOString() }, null, 2));
    try {
      fs.renameSync(staging, target);
    } catch (e) {
      // Someone else installed the same tree first: keep theirs.
      if (!fs.existsSync(path.join(target, '.installed'))) throw e;
      fs.rmSync(staging, { recursive: true, force: true });
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return target;
}

function assembleModule(home: string, module: ModuleAssembly, version: NodeVersion, artifacts: string): void {
  const dir = path.join(home, 'modules', module.name);
  fs.mkdirSync(dir, { recursive: true });
  for (const gav of module.jars) {
    const [, artifactId, v] = gav.split(':');
    fs.copyFileSync(path.join(artifacts, `${artifactId}-${v}.jar`), path.join(dir, `${artifactId}-${v}.jar`));
  }
  const javaVersion = version.java.min >= 21 ? '21' : '11';
  fs.writeFileSync(path.join(dir, 'plugin-descriptor.properties'), [
    `description=${module.description}`,
    `version=${version.coreVersion}`,
    `name=${module.name}`,
    `classname=${module.classname}`,
    `java.version=${javaVersion}`,
    `opensearch.version=${version.coreVersion}`,
    'extended.plugins=',
    'has.native.controller=false',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'plugin-security.policy'), module.policy);
}

/** A copy of the plugin zip whose descriptor names the core version (see versions.ts for why). */
function restamp(zip: string, coreVersion: string, work: string): string {
  const dir = path.join(work, `restamp-${path.basename(zip, '.zip')}`);
  fs.mkdirSync(dir, { recursive: true });
  run('unzip', ['-q', zip, 'plugin-descriptor.properties', '-d', dir]);
  const descriptor = path.join(dir, 'plugin-descriptor.properties');
  fs.writeFileSync(descriptor, fs.readFileSync(descriptor, 'utf8').replace(/^opensearch\.version=.*$/m, `opensearch.version=${coreVersion}`));
  const out = path.join(work, path.basename(zip));
  fs.copyFileSync(zip, out);
  run('zip', ['-q', out, 'plugin-descriptor.properties'], { cwd: dir });
  return out;
}

/**
 * opensearch.yml and the security configuration of the installed tree.
 * Ports, data and logs are per run (command line), everything else is here.
 */
function writeConfig(home: string, version: NodeVersion, javaHome: string): void {
  const config = path.join(home, 'config');
  const password = `Cdk-${randomBytes(9).toString('base64url')}-9a`;
  if (version.security) {
    // The plugin's own offline demo installer: demo certificates (valid until 2034), TLS on the REST layer,
    // the admin user with this password, and the REST API for all_access.
    run('bash', [path.join(home, 'plugins', 'opensearch-security', 'tools', 'install_demo_configuration.sh'), '-y', '-i', '-s'], {
      env: { JAVA_HOME: javaHome, OPENSEARCH_JAVA_HOME: javaHome, OPENSEARCH_INITIAL_ADMIN_PASSWORD: password },
    });
    fs.writeFileSync(path.join(config, 'opensearch-security', 'config.yml'), SECURITY_CONFIG);
  }
  fs.appendFileSync(path.join(config, 'opensearch.yml'), [
    '',
    '# cdk-opensearch-ml real tier: one node on loopback',
    'discovery.type: single-node',
    'network.host: 127.0.0.1',
    'cluster.routing.allocation.disk.threshold_enabled: false',
    'plugins.ml_commons.only_run_on_ml_node: false',
    'plugins.ml_commons.jvm_heap_memory_threshold: 100',
    'plugins.ml_commons.native_memory_threshold: 100',
    'plugins.ml_commons.disk_free_space_threshold: 0',
    // Loopback model endpoints; the trusted-endpoint regexes are set by the tests (a dynamic setting).
    'plugins.ml_commons.connector.private_ip_enabled: true',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(config, 'jvm.options.d', 'cdk-real-tier.options'), '-Xms1g\n-Xmx1g\n');
  fs.writeFileSync(path.join(home, '..', 'node.json'), JSON.stringify({
    coreVersion: version.coreVersion,
    security: version.security,
    ...(version.security ? { admin: { username: 'admin', password } } : {}),
  }, null, 2));
}

/**
 * The security plugin's authentication: the front door's identity handoff first (the `proxy` HTTP
 * authenticator reads the user and backend roles from headers, trusted only from loopback through
 * `xff.internalProxies`), then basic auth for internal users (the front door passes it through).
 * https://opensearch.org/docs/latest/security/authentication-backends/proxy/
 */
const SECURITY_CONFIG = `---
_meta:
  type: "config"
  config_version: 2
config:
  dynamic:
    http:
      anonymous_auth_enabled: false
      xff:
        enabled: true
        internalProxies: '127\\.0\\.0\\.1'
        remoteIpHeader: 'x-forwarded-for'
    authc:
      front_door_proxy:
        http_enabled: true
        transport_enabled: false
        order: 0
        http_authenticator:
          type: proxy
          challenge: false
          config:
            user_header: "x-proxy-user"
            roles_header: "x-proxy-roles"
        authentication_backend:
          type: noop
      basic_internal_auth_domain:
        http_enabled: true
        transport_enabled: false
        order: 1
        http_authenticator:
          type: basic
          challenge: true
        authentication_backend:
          type: intern
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** uid/gid of the user the node runs as: ourselves, or a system user we create when we are root. */
function nodeUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = spawnSync('id', ['-u', NODE_USER], { encoding: 'utf8' });
  if (lookup.status !== 0) {
    run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', NODE_USER]);
  }
  return {
    uid: Number(execFileSync('id', ['-u', NODE_USER], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', NODE_USER], { encoding: 'utf8' }).trim()),
  };
}

function chownTree(dir: string, user: { uid: number; gid: number }): void {
  run('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
}

/** Starts a node of `version` (installing it first if needed) and waits until it answers health checks. */
export async function startNode(version: NodeVersion, log: (line: string) => void = () => {}): Promise<RunningNode> {
  const installed = installNode(version, log);
  const javaHome = javaHomeFor(version);
  const meta = JSON.parse(fs.readFileSync(path.join(installed, 'node.json'), 'utf8'));
  sweepAbandonedRuns();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk-opensearch-${version.coreVersion}-`));
  fs.chmodSync(runDir, 0o755);
  fs.writeFileSync(path.join(runDir, 'owner.pid'), String(process.pid));
  const home = path.join(runDir, 'opensearch');
  // The tree is read-only at run time: hard links cost nothing. config/ is copied: the node may write there.
  run('cp', ['-al', path.join(installed, `opensearch-${version.coreVersion}`), home]);
  fs.rmSync(path.join(home, 'config'), { recursive: true });
  run('cp', ['-a', path.join(installed, `opensearch-${version.coreVersion}`, 'config'), path.join(home, 'config')]);
  // jvm.options writes the GC log and heap dumps relative to the home folder.
  const writable = ['data', 'logs', 'tmp', 'opensearch/logs', 'opensearch/data', 'opensearch/config'];
  for (const dir of writable) fs.mkdirSync(path.join(runDir, dir), { recursive: true });
  const user = nodeUser();
  if (user) {
    for (const dir of writable) chownTree(path.join(runDir, dir), user);
  }
  const httpPort = await freePort();
  const transportPort = await freePort();
  const args = [
    `-Ehttp.port=${httpPort}`, `-Etransport.port=${transportPort}`,
    `-Epath.data=${path.join(runDir, 'data')}`, `-Epath.logs=${path.join(runDir, 'logs')}`,
    `-Ecluster.name=cdk-real-tier-${version.coreVersion}-${process.pid}`, `-Enode.name=node-${version.coreVersion}`,
  ];
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    JAVA_HOME: javaHome,
    OPENSEARCH_JAVA_HOME: javaHome,
    OPENSEARCH_TMPDIR: path.join(runDir, 'tmp'),
    OPENSEARCH_PATH_CONF: path.join(home, 'config'),
    // no /tmp/hsperfdata_<user> left behind
    OPENSEARCH_JAVA_OPTS: '-XX:-UsePerfData',
  };
  // setpriv execs (no extra process): the pid we hold is the node's, and it dies with us (pdeathsig).
  const command = user
    ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--pdeathsig', 'SIGTERM', path.join(home, 'bin', 'opensearch'), ...args]
    : ['setpriv', '--pdeathsig', 'SIGTERM', path.join(home, 'bin', 'opensearch'), ...args];
  const child = spawn(command[0], command.slice(1), { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => { output = (output + d.toString('utf8')).slice(-20_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const scheme = version.security ? 'https' : 'http';
  const url = `${scheme}://127.0.0.1:${httpPort}`;
  const config = (name: string) => fs.readFileSync(path.join(home, 'config', name), 'utf8');
  const info: NodeInfo = {
    id: version.id,
    coreVersion: version.coreVersion,
    url,
    admin: meta.admin,
    security: version.security,
    pid: child.pid!,
    runDir,
    ...(version.security ? { caPem: config('root-ca.pem') } : {}),
  };
  const stop = () => stopNode(child, exited, runDir);
  try {
    await waitForHealth(info, exited, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  log(`OpenSearch ${version.coreVersion} is up at ${url}`);
  return { ...info, stop };
}

/** Run folders whose test process is gone (killed before it could stop its node) are removed. */
function sweepAbandonedRuns(): void {
  for (const name of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('cdk-opensearch-'))) {
    const dir = path.join(os.tmpdir(), name);
    let owner: number;
    try {
      owner = Number(fs.readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue; // not ours, or still being set up
    }
    if (owner === process.pid || processAlive(owner)) continue;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stopNode(child: ChildProcess, exited: Promise<number | null>, runDir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  fs.rmSync(runDir, { recursive: true, force: true });
}

/** GET /_cluster/health until yellow or green (and, with the security plugin, its index is initialised). */
async function waitForHealth(node: NodeInfo, exited: Promise<number | null>, output: () => string): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let dead: number | null | undefined;
  void exited.then((code) => { dead = code; });
  let last = '';
  while (Date.now() < deadline) {
    if (dead !== undefined) throw new Error(`OpenSearch ${node.coreVersion} exited (${dead}) before it was healthy:\n${output().slice(-4000)}`);
    try {
      const answer = await nodeRequest(node, 'GET', '/_cluster/health?wait_for_status=yellow&timeout=5s');
      last = `${answer.status} ${answer.body.slice(0, 200)}`;
      if (answer.status === 200 && /"status":"(yellow|green)"/.test(answer.body)) return;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`OpenSearch ${node.coreVersion} was not healthy after ${HEALTH_TIMEOUT_MS / 1000} s (last answer: ${last}):\n${output().slice(-4000)}`);
}

/** A request straight to the node (not through the front door), as its admin. */
export function nodeRequest(node: NodeInfo, method: string, requestPath: string, body?: unknown): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers: Record<string, string> = { ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) };
  if (node.admin) headers.authorization = `Basic ${Buffer.from(`${node.admin.username}:${node.admin.password}`).toString('base64')}`;
  const target = new URL(requestPath, node.url);
  return new Promise((resolve, reject) => {
    const requestOptions = { method, hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, headers, timeout: 30_000 };
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    };
    const req = node.url.startsWith('https')
      // The demo certificate names "node-0.example.com": the CA is checked, the host name is not.
      ? https.request({ ...requestOptions, ca: node.caPem, checkServerIdentity: () => undefined }, onResponse)
      : http.request(requestOptions, onResponse);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

export function nodeVersion(id: string): NodeVersion {
  const found = NODE_VERSIONS.find((v) => v.id === id || v.coreVersion === id);
  if (!found) throw new Error(`no OpenSearch node "${id}" in test/real/versions.ts (${NODE_VERSIONS.map((v) => v.id).join(', ')})`);
  return found;
}

if (require.main === module) {
  const [command = 'install', ...ids] = process.argv.slice(2);
  const versions = ids.length > 0 ? ids.map(nodeVersion) : NODE_VERSIONS;
  const log = (line: string) => console.log(line);
  (async () => {
    if (command === 'install') {
      versions.forEach((v) => javaHomeFor(v));
      fetchArtifacts(versions, log);
      for (const v of versions) installNode(v, log);
    } else if (command === 'start') {
      const nodes = await Promise.all(versions.map((v) => startNode(v, log)));
      for (const n of nodes) console.log(JSON.stringify({ ...n, caPem: undefined, stop: undefined }));
      console.log('press Ctrl-C to stop');
      process.on('SIGINT', () => void Promise.all(nodes.map((n) => n.stop())).then(() => process.exit(0)));
    } else {
      throw new Error(`unknown command ${command}: install or start`);
    }
  })().catch((e) => {
    console.error(String(e?.message ?? e));
    process.exit(1);
  });
}
