// Writes API.md as `jsii-docgen -o API.md` does, but from the assemblies of the project's own
// dependencies only. jsii-docgen documents the package against every .jsii it finds under the
// directory it searches (a glob that follows symlinks) and takes the newest aws-cdk-lib among them;
// test/nag3/deps holds a newer aws-cdk-lib than the project's for one test, which would make the
// documentation of inherited members depend on it. So the search runs in a directory that links
// the project's .jsii and its node_modules, without that test's package.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Documentation, Language } = require('jsii-docgen');

const ROOT = path.join(__dirname, '..');
/** node_modules entries that are not dependencies of the library. */
const NOT_DOCUMENTED_AGAINST = ['cdk-opensearch-ml-nag3-test-deps'];

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-opensearch-ml-docgen-'));
  try {
    fs.symlinkSync(path.join(ROOT, '.jsii'), path.join(dir, '.jsii'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    for (const entry of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
      if (!NOT_DOCUMENTED_AGAINST.includes(entry)) fs.symlinkSync(path.join(ROOT, 'node_modules', entry), path.join(dir, 'node_modules', entry));
    }
    const docs = await Documentation.forProject(ROOT, { assembliesDir: dir });
    const markdown = await docs.toMarkdown({ language: Language.TYPESCRIPT, allSubmodules: true });
    fs.writeFileSync(path.join(ROOT, 'API.md'), markdown.render());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
