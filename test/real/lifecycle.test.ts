/*
 * The whole lifecycle through the shipped handler, the front door and real ml-commons: connector create,
 * in-place update, replacement and delete (404 tolerated, 409 naming the models); model group, register, deploy
 * with task polling, the predict smoke test (through the loopback Bedrock endpoint), undeploy and delete; and an
 * update of a connector whose model is deployed.
 */
import {
  CONNECTOR, Deployment, GROUP, MODEL, nodes, RealDomain, toLoopback,
} from './tier';
import { ConnectorBlueprint, MlConnector, MlModel, MlModelGroup, ModelVerification } from '../../src';

describe.each(nodes())('OpenSearch %s: lifecycle through the handler', (_version, node) => {
  let domain: RealDomain;
  beforeAll(async () => {
    domain = await RealDomain.open(node, { trustLoopback: true });
  });
  afterAll(async () => domain?.close());

  let groupCount = 0;
  beforeEach(() => {
    groupCount++;
  });
  const app = (options: { description?: string; dimensions?: number; withModel?: boolean } = {}) => domain.synth((stack, d) => {
    const fineGrainedAccess = domain.fineGrainedAccess(stack);
    const connector = new MlConnector(stack, 'Titan', {
      domain: d,
      fineGrainedAccess,
      blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: options.dimensions ?? 256 }),
      ...(options.description ? { description: options.description } : {}),
    });
    if (options.withModel !== false) {
      const group = new MlModelGroup(stack, 'Group', { domain: d, fineGrainedAccess, name: `real tier embeddings ${groupCount}` });
      new MlModel(stack, 'Model', { connector, modelGroup: group, name: 'titan v2', verify: ModelVerification.predict() });
    }
  });

  /** The model's state once it is DEPLOYED, or the last state seen when `ms` ran out. */
  async function deployedWithin(modelId: string, ms: number): Promise<string> {
    const deadline = Date.now() + ms;
    let state = '';
    while (Date.now() < deadline) {
      state = (await domain.admin('GET', `/_plugins/_ml/models/${modelId}`)).json.model_state;
      if (state === 'DEPLOYED') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return state;
  }

  test('connector, group and model: registered, deployed, smoke-tested by a real predict; then removed in order', async () => {
    const deployment = new Deployment(domain, app(), toLoopback(domain.models.url));
    await deployment.createAll();
    const connectorId = deployment.physical.get(deployment.logicalId(CONNECTOR, 'Titan'))!;
    const groupId = deployment.physical.get(deployment.logicalId(GROUP, 'Group'))!;
    const modelId = deployment.physical.get(deployment.logicalId(MODEL, 'Model'))!;

    const model = await domain.admin('GET', `/_plugins/_ml/models/${modelId}`);
    expect(model.json).toMatchObject({ name: 'titan v2', connector_id: connectorId, model_group_id: groupId, model_state: 'DEPLOYED' });
    const calls = domain.frontDoor.requests.filter((r) => r.path.startsWith('/_plugins/_ml')).map((r) => `${r.method} ${r.path.replace(/\/[A-Za-z0-9_-]{20}(?=\/|$)/g, '/<id>')}`);
    expect(calls).toEqual(expect.arrayContaining([
      'POST /_plugins/_ml/models/_register', 'POST /_plugins/_ml/models/<id>/_deploy', 'POST /_plugins/_ml/models/<id>/_predict',
    ]));
    // The smoke test reached Bedrock (the loopback stand-in), signed by ml-commons with the connector role's keys.
    const [invoke] = domain.models.calls;
    expect(invoke).toMatchObject({ service: 'bedrock', path: '/model/amazon.titan-embed-text-v2:0/invoke', status: 200 });
    expect(invoke.roleArn).toMatch(/:role\/cdk-opensearch-ml\/[^/]+\/TitanRole/);
    expect(JSON.parse(invoke.requestBody)).toMatchObject({ dimensions: 256 });

    expect(await deployment.deleteAll()).toEqual([]);
    expect((await domain.admin('GET', `/_plugins/_ml/models/${modelId}`)).status).toBe(404);
    expect((await domain.admin('GET', `/_plugins/_ml/model_groups/${groupId}`)).status).toBe(404);
    expect((await domain.admin('GET', `/_plugins/_ml/connectors/${connectorId}`)).status).toBe(404);
  });

  test('connector updates: in place with a deployed model, a replacement, a delete refused while a model uses it (409), a delete of a gone one', async () => {
    const deployment = new Deployment(domain, app(), toLoopback(domain.models.url));
    await deployment.createAll();
    const titan = deployment.logicalId(CONNECTOR, 'Titan');
    const model = deployment.logicalId(MODEL, 'Model');
    const connectorId = deployment.physical.get(titan)!;
    const modelId = deployment.physical.get(model)!;

    // In place, while the model is deployed (ml-commons refuses a plain PUT then: the handler must cope).
    const described = app({ description: 'titan for the real tier' });
    const inPlace = await deployment.update(titan, described);
    expect({ status: inPlace.Status, reason: inPlace.Reason }).toEqual({ status: 'SUCCESS', reason: undefined });
    expect(inPlace.PhysicalResourceId).toBe(connectorId);
    expect((await domain.admin('GET', `/_plugins/_ml/connectors/${connectorId}`)).json.description).toBe('titan for the real tier');
    // The model is deployed again (the handler may answer while ml-commons still reports DEPLOYING: seen on 3.6).
    expect(await deployedWithin(modelId, 60_000)).toBe('DEPLOYED');

    // The connector is in use: deleting it fails and names the model; the connector stays.
    const refused = await deployment.delete(titan);
    expect(refused.Status).toBe('FAILED');
    expect(refused.Reason).toContain(modelId);
    expect((await domain.admin('GET', `/_plugins/_ml/connectors/${connectorId}`)).status).toBe(200);

    expect((await deployment.delete(model)).Status).toBe('SUCCESS');
    expect((await deployment.delete(deployment.logicalId(GROUP, 'Group'))).Status).toBe('SUCCESS');
    expect((await deployment.delete(titan)).Status).toBe('SUCCESS');
    // Already gone (a repeated Delete): success.
    const gone = await deployment.delete(titan);
    expect({ status: gone.Status, reason: gone.Reason }).toEqual({ status: 'SUCCESS', reason: undefined });
    for (const id of [model, titan, deployment.logicalId(GROUP, 'Group')]) deployment.physical.delete(id);
    expect(await deployment.deleteAll()).toEqual([]);
  });

  test('a replacement (a parameter removed: ml-commons merges parameters on update) creates a new connector', async () => {
    const withParameters = (parameters: Record<string, unknown>) => domain.synth((stack, d) => new MlConnector(stack, 'Custom', {
      domain: d,
      fineGrainedAccess: domain.fineGrainedAccess(stack),
      blueprint: ConnectorBlueprint.custom({
        serviceName: 'sagemaker',
        parameters,
        actions: [{ actionType: 'predict', url: 'https://runtime.sagemaker.${parameters.region}.amazonaws.com/endpoints/e/invocations', requestBody: '{"x": "${parameters.x:-a}"}' }],
        invokeActions: ['sagemaker:InvokeEndpoint'],
        invokeResources: ['arn:aws:sagemaker:us-east-1:111122223333:endpoint/e'],
      }),
    }));
    const deployment = new Deployment(domain, withParameters({ x: 'b' }));
    await deployment.createAll();
    const logicalId = deployment.logicalId(CONNECTOR, 'Custom');
    const oldId = deployment.physical.get(logicalId)!;
    const replaced = await deployment.update(logicalId, withParameters({}));
    expect(replaced.Status).toBe('SUCCESS');
    expect(replaced.PhysicalResourceId).not.toBe(oldId);
    const stored = await domain.admin('GET', `/_plugins/_ml/connectors/${replaced.PhysicalResourceId}`);
    expect(stored.json.parameters.x).toBeUndefined();
    // CloudFormation then deletes the old one.
    expect((await deployment.delete(logicalId, oldId)).Status).toBe('SUCCESS');
    expect((await domain.admin('GET', `/_plugins/_ml/connectors/${oldId}`)).status).toBe(404);
    expect(await deployment.deleteAll()).toEqual([]);
  });
});
