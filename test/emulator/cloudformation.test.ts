import { readFileSync } from 'fs';
import { request as httpsRequest } from 'https';
import * as aws4 from 'aws4';
import { AwsApisEmulator } from './aws-apis';
import { CA_FILE } from './server';

const PROVIDER = { accessKeyId: 'AKIAPROVIDER', secretAccessKey: 'provider-secret', roleArn: 'arn:aws:iam::111122223333:role/provider' };
const RESOURCES = Array.from({ length: 5 }, (_, i) => ({ logicalId: `Connector${i}`, physicalId: `id-${i}`, type: 'Custom::MlConnector' }));

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

function listStackResources(
  apis: AwsApisEmulator,
  params: Record<string, string>,
  options: { sign?: boolean; secret?: string } = {},
): Promise<Answer> {
  const url = new URL(apis.url);
  const body = new URLSearchParams({ Action: 'ListStackResources', Version: '2010-05-15', ...params }).toString();
  const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  const unsigned = { host: url.host, method: 'POST', path: '/', body, headers, service: 'cloudformation', region: 'us-east-1' };
  const credentials = { ...PROVIDER, secretAccessKey: options.secret ?? PROVIDER.secretAccessKey };
  const signed = options.sign === false ? unsigned : aws4.sign(unsigned, credentials);
  return new Promise((resolve, reject) => {
    const target = { hostname: url.hostname, port: Number(url.port), method: 'POST', path: '/', headers: signed.headers as Record<string, string> };
    const req = httpsRequest({ ...target, ca: readFileSync(CA_FILE) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function tags(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((match) => match[1]);
}

describe('CloudFormation ListStackResources stand-in', () => {
  let apis: AwsApisEmulator;

  beforeAll(async () => {
    apis = await AwsApisEmulator.start({ principals: [PROVIDER], stacks: { app: RESOURCES }, stackPageSize: 2 });
  });
  afterAll(async () => apis.stop());
  beforeEach(() => {
    apis.setPrincipalPolicy(PROVIDER.roleArn, undefined);
    apis.requests.length = 0;
  });

  it('answers the real XML shape, paginated with NextToken', async () => {
    const first = await listStackResources(apis, { StackName: 'app' });
    expect(first.status).toBe(200);
    expect(first.contentType).toBe('text/xml');
    expect(first.body).toMatch(/^<ListStackResourcesResponse xmlns="http:\/\/cloudformation\.amazonaws\.com\/doc\/2010-05-15\/">\n {2}<ListStackResourcesResult>/);
    expect(first.body).toContain('<ResponseMetadata>');
    expect(tags(first.body, 'LogicalResourceId')).toEqual(['Connector0', 'Connector1']);
    expect(tags(first.body, 'PhysicalResourceId')).toEqual(['id-0', 'id-1']);
    expect(tags(first.body, 'ResourceType')).toEqual(['Custom::MlConnector', 'Custom::MlConnector']);
    expect(tags(first.body, 'ResourceStatus')).toEqual(['CREATE_COMPLETE', 'CREATE_COMPLETE']);

    const seen = [...tags(first.body, 'PhysicalResourceId')];
    let token = tags(first.body, 'NextToken')[0];
    let pages = 1;
    while (token) {
      const page = await listStackResources(apis, { StackName: apis.stackId('app')!, NextToken: token });
      seen.push(...tags(page.body, 'PhysicalResourceId'));
      token = tags(page.body, 'NextToken')[0];
      pages += 1;
    }
    expect([pages, seen]).toEqual([3, RESOURCES.map((resource) => resource.physicalId)]);
    expect(apis.requests.map((request) => [request.service, request.operation, request.status, request.principal]))
      .toEqual(Array(3).fill(['cloudformation', 'ListStackResources', 200, PROVIDER.roleArn]));
  });

  it('answers ValidationError for a missing stack and AccessDenied when IAM says no', async () => {
    const missing = await listStackResources(apis, { StackName: 'nope' });
    expect(missing.status).toBe(400);
    expect(tags(missing.body, 'Code')).toEqual(['ValidationError']);
    expect(tags(missing.body, 'Message')).toEqual(['Stack with id nope does not exist']);
    expect(missing.body).toMatch(/^<ErrorResponse xmlns="http:\/\/cloudformation\.amazonaws\.com\/doc\/2010-05-15\/">/);

    apis.setPrincipalPolicy(PROVIDER.roleArn, [{ Effect: 'Allow', Action: 'cloudformation:ListStackResources', Resource: 'arn:aws:cloudformation:*:*:stack/other/*' }]);
    const denied = await listStackResources(apis, { StackName: 'app' });
    expect(denied.status).toBe(403);
    expect(tags(denied.body, 'Code')).toEqual(['AccessDenied']);
    expect(tags(denied.body, 'Message')).toEqual([
      `User: arn:aws:sts::111122223333:assumed-role/provider/AKIAPROVIDER is not authorized to perform: cloudformation:ListStackResources on resource: ${apis.stackId('app')} `
      + 'because no identity-based policy allows the cloudformation:ListStackResources action',
    ]);
    apis.setPrincipalPolicy(PROVIDER.roleArn, [{ Effect: 'Allow', Action: 'cloudformation:ListStackResources', Resource: 'arn:aws:cloudformation:*:*:stack/app/*' }]);
    expect((await listStackResources(apis, { StackName: 'app' })).status).toBe(200);
  });

  it('verifies the SigV4 signature for service cloudformation', async () => {
    const anonymous = await listStackResources(apis, { StackName: 'app' }, { sign: false });
    expect([anonymous.status, tags(anonymous.body, 'Code')]).toEqual([403, ['MissingAuthenticationToken']]);
    const forged = await listStackResources(apis, { StackName: 'app' }, { secret: 'wrong' });
    expect([forged.status, tags(forged.body, 'Code')]).toEqual([403, ['SignatureDoesNotMatch']]);
  });

  it('reflects setStack changes and refuses a token of another stack', async () => {
    apis.setStack('other', [{ logicalId: 'Role', physicalId: 'role-name', type: 'AWS::IAM::Role', status: 'UPDATE_COMPLETE' }]);
    const other = await listStackResources(apis, { StackName: 'other' });
    expect(tags(other.body, 'ResourceStatus')).toEqual(['UPDATE_COMPLETE']);
    expect(other.body).not.toContain('<NextToken>');
    const token = tags((await listStackResources(apis, { StackName: 'app' })).body, 'NextToken')[0];
    const wrong = await listStackResources(apis, { StackName: 'other', NextToken: token });
    expect([wrong.status, tags(wrong.body, 'Code')]).toEqual([400, ['ValidationError']]);
    apis.setStack('other', undefined);
    expect((await listStackResources(apis, { StackName: 'other' })).status).toBe(400);
  });
});
