/*
 * cdk-nag 3 (the current major) reads acknowledgments of exact findings from construct metadata,
 * not the cdk_nag template metadata of cdk-nag 2. An app on aws-cdk-lib 2.257 and cdk-nag 3.0.2
 * (test/nag3/deps), run in a child process, uses every feature that writes a wildcard: cdk-nag 3
 * finds nothing, and each wildcard is acknowledged with its reason. cdk-nag 2 is checked by
 * test/blueprints-nag.test.ts and test/nag-apps.test.ts.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface Nag3Report {
  readonly cdkNag: string;
  readonly awsCdkLib: string;
  readonly synthesized: boolean;
  readonly violations: string[];
  readonly acknowledged: string[];
}

let report: Nag3Report;

beforeAll(() => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-opensearch-ml-nag3-'));
  try {
    const out = execFileSync(process.execPath, [path.join(__dirname, 'nag3', 'app.js')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NAG3_OUTDIR: outdir, NAG3_TYPESCRIPT: path.dirname(require.resolve('typescript/package.json')) },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    });
    report = JSON.parse(out);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}, 120_000);

test('the app runs on cdk-nag 3 and the aws-cdk-lib it needs', () => {
  expect(report.cdkNag).toMatch(/^3\./);
  expect(report.awsCdkLib).toBe('2.257.0');
  expect(report.synthesized).toBe(true);
});

test('cdk-nag 3 AwsSolutions finds nothing on the library\'s resources', () => {
  expect(report.violations).toEqual([]);
});

test('each wildcard is acknowledged finding by finding, with the reason cdk-nag 2 reads too', () => {
  const ids = report.acknowledged.map((a) => a.slice(0, a.indexOf(': ')));
  expect(ids.sort()).toEqual([
    'Nag3/Batch/Role/Resource AwsSolutions-IAM5[Resource::arn:aws:sagemaker:us-east-1:111122223333:transform-job/nightly*]',
    'Nag3/Comprehend/Role/Resource AwsSolutions-IAM5[Resource::*]',
    'Nag3/OpenSearchMlProvider/Grants/Resource AwsSolutions-IAM5[Resource::arn:aws:es:us-east-1:111122223333:domain/nag/_plugins/_ml/*]',
    'Nag3/OpenSearchMlProvider/Grants/Resource AwsSolutions-IAM5[Resource::arn:aws:es:us-east-1:111122223333:domain/other/_plugins/_ml/*]',
    'Nag3/OpenSearchMlProvider/Grants/Resource AwsSolutions-IAM5[Resource::arn:aws:es:us-east-1:111122223333:domain/private/_plugins/_ml/*]',
    'Nag3/OpenSearchMlProvider/VpcAccess/Resource AwsSolutions-IAM5[Resource::*]',
    'Nag3/Profile/Role/Resource AwsSolutions-IAM5[Resource::arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0]',
    'Nag3/Textract/Role/Resource AwsSolutions-IAM5[Resource::*]',
    // a domain of another stack: known as an Fn::ImportValue only when the app is synthesized
    'Nag3User/OpenSearchMlProvider/Grants/Resource AwsSolutions-IAM5[Resource::Nag3Domain:ExportsOutputFnGetAttSharedDACC02AAArnC693039C/_plugins/_ml/*]',
    'Nag3User/Profile/Role/Resource AwsSolutions-IAM5[Resource::arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0]',
  ]);
  for (const acknowledgment of report.acknowledged) expect(acknowledgment).toMatch(/\]: .{40,}/);
});
