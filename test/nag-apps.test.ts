/*
 * cdk-nag AwsSolutions over every example app (examples/*.ts) and every integ app
 * (test/integ.*.ts): no errors and no warnings, and every suppression carries a reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Aspects, Stack, cx_api as cxapi } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

const ROOT = path.join(__dirname, '..');
const EXAMPLES = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.ts') && f !== 'main.ts');
const INTEG_APPS = fs.readdirSync(__dirname).filter((f) => /^integ\..*\.ts$/.test(f));

/** The AwsSolutions errors and warnings of every stack of a synthesized assembly. */
function findings(assembly: cxapi.CloudAssembly): string[] {
  return assembly.stacksRecursively.flatMap((stack) => stack.messages)
    .filter((m) => m.level !== 'info' && /AwsSolutions-/.test(String(m.entry.data)))
    .map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`);
}

/** Every cdk-nag suppression in the assembly's templates, as `rule: reason`. */
function suppressions(assembly: cxapi.CloudAssembly): string[] {
  return assembly.stacksRecursively.flatMap((stack) => Object.values(stack.template.Resources ?? {}) as any[])
    .flatMap((resource) => resource.Metadata?.cdk_nag?.rules_to_suppress ?? [])
    .map((s: { id: string; reason?: string }) => `${s.id}: ${s.reason ?? ''}`);
}

function check(assembly: cxapi.CloudAssembly): void {
  expect(assembly.stacksRecursively.length).toBeGreaterThan(0);
  expect(findings(assembly)).toEqual([]);
  for (const suppression of suppressions(assembly)) expect(suppression).toMatch(/^AwsSolutions-\w+: .{40,}/);
}

test('there are example and integ apps to check', () => {
  expect(EXAMPLES).toContain('app.ts');
  expect(INTEG_APPS).toContain('integ.example.ts');
});

describe.each(EXAMPLES)('example %s', (file) => {
  test('cdk-nag AwsSolutions: no errors, no warnings; suppressions say why', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the apps are found at run time
    const exported = require(path.join(ROOT, 'examples', file)) as Record<string, unknown>;
    const stackClasses = Object.values(exported).filter((v): v is new (scope: App, id: string) => Stack =>
      typeof v === 'function' && v.prototype instanceof Stack);
    expect(stackClasses.length).toBeGreaterThan(0);
    const app = new App();
    stackClasses.forEach((Cls, i) => new Cls(app, `Example${i}`));
    Aspects.of(app).add(new AwsSolutionsChecks());
    check(app.synth());
  });
});

describe.each(INTEG_APPS)('integ app %s', (file) => {
  test('cdk-nag AwsSolutions: no errors, no warnings; suppressions say why', () => {
    // The integ app builds and synthesizes its own App: check each App it synthesizes.
    const assemblies: cxapi.CloudAssembly[] = [];
    const synth = App.prototype.synth;
    const spy = jest.spyOn(App.prototype, 'synth').mockImplementation(function (this: App, ...args) {
      Aspects.of(this).add(new AwsSolutionsChecks());
      const assembly = synth.apply(this, args);
      assemblies.push(assembly);
      return assembly;
    });
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the apps are found at run time
      require(path.join(__dirname, file));
    } finally {
      spy.mockRestore();
    }
    expect(assemblies.length).toBeGreaterThan(0);
    assemblies.forEach(check);
  });
});
