/*
 * integ-runner snapshot test of the example app: `npm test` fails when the synthesized
 * example changes without its snapshot (test/integ.example.ts.snapshot) being updated.
 * Update it with `npx integ-runner --update-on-failed --dry-run --language typescript`,
 * and deploy it for real with `npx integ-runner --update-on-failed --language typescript`.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { SemanticSearchStack } from '../examples/app';

const app = new App();
const stack = new SemanticSearchStack(app, 'OpenSearchMlExample');
new IntegTest(app, 'OpenSearchMlExampleTest', { testCases: [stack] });
app.synth();
