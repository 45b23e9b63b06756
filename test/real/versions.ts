/**
 * The OpenSearch nodes of the real tier: one place for every pinned version.
 *
 * Maven Central publishes the integ-test distribution of the core and the plugin zips, but not every
 * plugin for every core version (checked with `mvn dependency:get` in December 2026):
 * - 2.19: core, job-scheduler and ml-commons exist for 2.19.6; the newest security zip is 2.19.4.0
 *   (none for 2.19.5 or 2.19.6). The security plugin is installed with its descriptor's
 *   `opensearch.version` set to the core's (`coreVersion`), a patch-level difference.
 * - 3.x: ml-commons and job-scheduler exist for 3.6.0 (none for 3.0–3.5); the only 3.x security zip is
 *   3.4.0.0, which extends the `rule-framework` core module, and neither the module nor its jars
 *   (`rule-framework`, `autotagging-commons-*`) are on Maven Central for any 3.x: the 3.x node runs
 *   without the security plugin (no fine-grained access control, plain HTTP behind the front door).
 * - k-NN (`opensearch-knn`) and neural search (`neural-search`, not `opensearch-neural-search`) exist for 2.19.6.0
 *   and 3.6.0.0. The Maven Central k-NN zip holds only jars: none of the native libraries (libopensearchknn_faiss,
 *   _nmslib, _common) that the distribution's plugins/opensearch-knn/lib has, so only the Lucene engine works:
 *   the first write to a faiss field stops the node (UnsatisfiedLinkError: no opensearchknn_faiss_* in
 *   java.library.path, seen on both versions), and the real tier's vector fields use KnnEngine.LUCENE. k-NN extends lang-painless (3.x: and the core's
 *   transport-grpc module); neural-search extends opensearch-knn (3.x: and transport-grpc) and calls ml-commons.
 */

/** A zip that `opensearch-plugin install` installs. */
export interface PluginArtifact {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
  /** the plugin's name once installed (plugins/<name>) */
  readonly name: string;
  /** install with plugin-descriptor.properties' opensearch.version set to the core's (see above) */
  readonly restamp?: boolean;
}

/** A core module assembled from its Maven Central jars into modules/<name>. */
export interface ModuleAssembly {
  readonly name: string;
  readonly classname: string;
  readonly description: string;
  /** groupId:artifactId:version of every jar of the module */
  readonly jars: readonly string[];
  /** plugin-security.policy, from the module's plugin-metadata in OpenSearch's sources */
  readonly policy: string;
}

export interface NodeVersion {
  /** short name used in test names and the summary line */
  readonly id: string;
  readonly coreVersion: string;
  /** the major Java version it runs on: 2.x needs the SecurityManager (17), 3.x needs 21+ */
  readonly java: { readonly min: number; readonly max: number };
  /** installed in this order (dependencies first) */
  readonly plugins: readonly PluginArtifact[];
  readonly modules: readonly ModuleAssembly[];
  /** the security plugin is installed: TLS, basic auth, the proxy authenticator, role mappings */
  readonly security: boolean;
}

const plugin = (artifactId: string, name: string, version: string, restamp = false): PluginArtifact =>
  ({ groupId: 'org.opensearch.plugin', artifactId, name, version, ...(restamp ? { restamp } : {}) });

/**
 * lang-painless: ml-commons runs pre- and post-process functions that are not built-in names as Painless
 * (and k-NN extends it). The integ-test zip lacks it; its jars and their compile dependencies (versions from the
 * module's pom on Maven Central) make the module. Policy: OpenSearch modules/lang-painless/src/main/plugin-metadata.
 */
function painless(version: string, asm: string, classname: string): ModuleAssembly {
  return {
    name: 'lang-painless',
    classname,
    description: 'An easy, safe and fast scripting language for OpenSearch',
    jars: [
      `org.opensearch.plugin:lang-painless:${version}`,
      `org.opensearch.plugin:opensearch-scripting-painless-spi:${version}`,
      'org.antlr:antlr4-runtime:4.13.1',
      ...['asm', 'asm-util', 'asm-tree', 'asm-commons', 'asm-analysis'].map((a) => `org.ow2.asm:${a}:${asm}`),
    ],
    policy: 'grant {\n  permission java.lang.RuntimePermission "createClassLoader";\n  permission java.lang.RuntimePermission "getClassLoader";\n};\n',
  };
}

/** Every node of the matrix; plugins in dependency order. */
export const NODE_VERSIONS: readonly NodeVersion[] = [
  {
    id: '2.19',
    coreVersion: '2.19.6',
    java: { min: 17, max: 17 },
    plugins: [
      plugin('opensearch-job-scheduler', 'opensearch-job-scheduler', '2.19.6.0'),
      plugin('opensearch-ml-plugin', 'opensearch-ml', '2.19.6.0'),
      plugin('opensearch-security', 'opensearch-security', '2.19.4.0', true),
      plugin('opensearch-knn', 'opensearch-knn', '2.19.6.0'),
      plugin('neural-search', 'opensearch-neural-search', '2.19.6.0'),
    ],
    // the plugin class was renamed PainlessModulePlugin in 3.x
    modules: [painless('2.19.6', '9.7', 'org.opensearch.painless.PainlessPlugin')],
    security: true,
  },
  {
    id: '3.6',
    coreVersion: '3.6.0',
    java: { min: 21, max: 99 },
    plugins: [
      plugin('opensearch-job-scheduler', 'opensearch-job-scheduler', '3.6.0.0'),
      plugin('opensearch-ml-plugin', 'opensearch-ml', '3.6.0.0'),
      plugin('opensearch-knn', 'opensearch-knn', '3.6.0.0'),
      plugin('neural-search', 'opensearch-neural-search', '3.6.0.0'),
    ],
    modules: [painless('3.6.0', '9.9.1', 'org.opensearch.painless.PainlessModulePlugin')],
    security: false,
  },
];

/** The maven-dependency-plugin used to fetch them. */
export const MAVEN_DEPENDENCY_PLUGIN = '3.6.1';
