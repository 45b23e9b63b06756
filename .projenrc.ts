import { awscdk, DependencyType, javascript, JsonFile } from 'projen';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-opensearch-ml',
  packageName: 'cdk-opensearch-ml',
  description:
    'AWS CDK constructs that create Amazon OpenSearch Service ML Commons connectors to Amazon SageMaker, Amazon Bedrock and other AWS model services during cdk deploy.',
  keywords: ['aws-cdk', 'cdk', 'opensearch', 'ml-commons', 'connector', 'sagemaker', 'bedrock', 'semantic-search', 'rag'],
  author: 'cdk-opensearch-ml maintainers',
  authorAddress: 'maintainers@users.noreply.r-seed-67139085.example',
  repositoryUrl: 'https://github.com/cdk-opensearch-ml/cdk-opensearch-ml.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  tsconfigDevFile: 'tsconfig.dev.json',
  minNodeVersion: '20.0.0',
  // Release and PR workflows run on a maintained Node.js; the package itself still supports 20.
  workflowNodeVersion: '22.x',

  // The lowest aws-cdk-lib users may have. Tests run against exactly this version. It knows the
  // nodejs24.x Lambda runtime (from 2.236.0), which cdk-nag's AwsSolutions-L1 checks, and its Go
  // bindings are the first tested here that compile with constructs v10.5 (those before 2.239.0
  // were generated against constructs v10.4), so the Go module jsii-pacmak builds compiles.
  cdkVersion: '2.240.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',

  // Release targets. Packaging for these languages runs in the release pipeline;
  // `npm test` only needs jsii compilation, which checks that the API is usable from all of them.
  publishToPypi: {
    distName: 'cdk-opensearch-ml',
    module: 'cdk_opensearch_ml',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkopensearchml',
    mavenGroupId: 'io.github.cdk-opensearch-ml',
    mavenArtifactId: 'cdk-opensearch-ml',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkOpenSearchMl',
    packageId: 'CdkOpenSearchMl',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-opensearch-ml/cdk-opensearch-ml-go',
  },

  // The handler is bundled once, here, by esbuild; users' synths need neither esbuild nor Docker.
  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    bundlingOptions: {
      // The handler uses no AWS SDK: nothing is external, everything it needs is in the asset.
      externals: [],
      sourcemap: false,
    },
  },
  integrationTestAutoDiscover: false,
  // One development tsconfig at the top covers src, test, examples and bench, so lint with it.
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'projenrc', '.projenrc.ts'],
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
  },
  experimentalIntegRunner: true,

  devDeps: [
    '@smithy/signature-v4',
    'aws4',
    '@types/aws4',
    'cdk-nag@^2.38.2',
    // cdk-nag 3 (a validation plugin that reads acknowledgments from construct metadata) needs
    // aws-cdk-lib 2.257+ as a peer, which the project's own aws-cdk-lib (the lowest users may have)
    // cannot be. A local package holds both, installed in its own node_modules by npm ci:
    // test/nag3.test.ts runs an app on them in a child process.
    'cdk-opensearch-ml-nag3-test-deps@file:test/nag3/deps',
    '@aws-sdk/client-opensearch',
  ],

  jestOptions: {
    // Snapshots are only written by `npx projen test:update`; `npm test` fails on a mismatch.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 30_000,
      // The real tier (test/real) has its own configuration and task: the quick loop stays quick.
      // test:scale runs the scale simulation on its own, after the rest (below).
      testPathIgnorePatterns: ['/node_modules/', '/test/real/', '/test/handler/scale.test.ts'],
    },
  },
  gitignore: ['cdk.out', '/examples/cdk.out', '/.bench/'],
  npmignoreEnabled: true,
});

// integ-runner snapshot tests need an integ-tests library that accepts the aws-cdk-lib we build against.
// npm has no 2.240.0-alpha.0 (the releases around it are 2.239.0-alpha.0 and 2.244.0-alpha.0),
// and 2.239.0-alpha.0's peer dependency `aws-cdk-lib@^2.239.0` takes 2.240.0.
project.deps.removeDependency('@aws-cdk/integ-tests-alpha');
project.deps.addDependency('@aws-cdk/integ-tests-alpha@2.239.0-alpha.0', DependencyType.DEVENV);

project.tsconfigDev.addInclude('.projenrc.ts');
// The handler's modules are compiled by jsii but run only from the bundled asset: ship the generated function only.
project.npmignore?.exclude('/lib/handler/*', '/examples/', '/bench/', '/.bench/', '/tsconfig.dev.json', '/.ci/', 'cdk.out');
project.npmignore?.include('/lib/handler/ml-commons-function.js', '/lib/handler/ml-commons-function.d.ts');
// The handler's dependencies are devDependencies: esbuild bundles them into the asset.
project.eslint?.addOverride({
  files: ['src/handler/**/*.ts'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: true }] },
});

// Minify the handler and prefer the ESM builds of @smithy/*: about a fifth of the CommonJS size.
const bundleTask = project.tasks.tryFind('bundle:handler/ml-commons.lambda');
if (!bundleTask?.steps[0]?.execArgs) {
  throw new Error('projen no longer generates the bundle task for src/handler/ml-commons.lambda.ts');
}
bundleTask.updateStep(0, {
  execArgs: [...bundleTask.steps[0].execArgs, '--minify', '--main-fields=module,main'],
});

// API.md from the assemblies of the library's own dependencies, not the newer aws-cdk-lib of the
// cdk-nag 3 test (jsii-docgen would document inherited members from it): projenrc/docgen.js.
const docgen = project.tasks.tryFind('docgen');
if (!docgen) throw new Error('projen no longer generates the docgen task');
docgen.reset('node projenrc/docgen.js');

// Tests need the handler bundle: the construct stages it, the handler tests run it.
project.testTask.prependSpawn(project.tasks.tryFind('bundle')!);

// The simulated deployment of a big stack runs a hundred handler processes: on its own, so that
// it neither starves the fault suites (whose clocks run 50 times faster) nor is starved by them.
const scaleTest = project.addTask('test:scale', {
  description: 'Deploy, update and delete 100 connectors and 50 models as CloudFormation does, against the emulator with the service\'s limits',
});
scaleTest.spawn(project.tasks.tryFind('bundle')!);
scaleTest.exec('jest --ci --coverage=false test/handler/scale.test.ts --testPathIgnorePatterns=/node_modules/');
project.testTask.spawn(scaleTest);

// `npm run test:opensearch`: the real tier. Real OpenSearch nodes from Maven Central (test/real/versions.ts)
// behind a stand-in for the managed service's front door; one node per version, shared by every test file.
new JsonFile(project, 'test/real/jest.config.json', {
  obj: {
    rootDir: '../..',
    testMatch: ['<rootDir>/test/real/**/*.test.ts'],
    globalSetup: '<rootDir>/test/real/global-setup.ts',
    globalTeardown: '<rootDir>/test/real/global-teardown.ts',
    testSequencer: '<rootDir>/test/real/sequencer.js',
    testTimeout: 300_000,
    maxWorkers: 1,
    // The nodes are stopped by the global teardown; a test that failed half-way must not keep the run open.
    forceExit: true,
    reporters: ['default', '<rootDir>/test/real/summary-reporter.js'],
    transform: { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }] },
  },
});
const realTier = project.addTask('test:opensearch', {
  description: 'The real tier: the shipped handler and every blueprint against real OpenSearch nodes (downloaded once with Maven into $OPENSEARCH_CACHE)',
});
realTier.spawn(project.tasks.tryFind('bundle')!);
realTier.exec('jest --config test/real/jest.config.json');

// `npm test`: the whole suite. jsii compilation is the check that the API works in every
// jsii language (packaging for Python, Java, .NET and Go needs their toolchains and runs
// in the release pipeline); the npm package is built and checked as users get it.
const verify = project.addTask('test:all', {
  description: 'Bundle, jsii-compile, regenerate API.md, run every test, build the npm package and check it',
});
verify.spawn(project.tasks.tryFind('bundle')!);
verify.spawn(project.compileTask);
verify.spawn(project.tasks.tryFind('docgen')!);
verify.spawn(project.testTask);
verify.spawn(realTier);
verify.spawn(project.tasks.tryFind('package:js')!);
verify.exec('ts-node --project tsconfig.dev.json test/package/verify-package.ts');
project.setScript('test', 'npx projen test:all');

// `npm run example`: synthesize the default example app and print what it created.
const example = project.addTask('example', {
  description: 'Synthesize the example app in examples/ to examples/cdk.out and print what it created',
});
example.spawn(project.tasks.tryFind('bundle')!);
example.exec('ts-node --project tsconfig.dev.json examples/main.ts');

// `npm run test:languages`: the README's snippets through jsii-rosetta in strict mode; the Python,
// Java and Go packages built by jsii-pacmak into dist/; the example app of each language synthesized
// against its package and must give the TypeScript app's templates byte for byte (test/languages/run.ts).
// Separate from `npm test`: it needs the three toolchains and their registries.
const languages = project.addTask('test:languages', {
  description: 'Build the Python, Java and Go packages and check that their example apps synthesize the TypeScript example\'s templates',
});
languages.spawn(project.tasks.tryFind('bundle')!);
languages.spawn(project.compileTask);
languages.exec('ts-node --project tsconfig.dev.json test/languages/run.ts');
// The tablet jsii-rosetta writes next to .jsii, and what the example apps build.
project.gitignore.exclude('/.jsii.tabl.json', '/examples/java/target/', '__pycache__/');
project.npmignore?.exclude('/.jsii.tabl.json');

// `npm run bench`: size, load time, requests and synth time, with the baseline measured in the same run.
const bench = project.addTask('bench', {
  description: 'Measure the handler bundle, its cold load against an SDK-bundling baseline, requests per create, and synth time',
});
bench.spawn(project.tasks.tryFind('bundle')!);
bench.exec('ts-node --project tsconfig.dev.json bench/run.ts');

project.synth();
