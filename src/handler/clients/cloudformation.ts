/*
 * AWS CloudFormation: which models the stack being deployed manages, the physical IDs of its
 * model resources, from ListStackResources (query protocol, XML answer).
 */
import { MODEL_RESOURCE_TYPE } from '../../contract';
import { Deadline } from '../deadline';
import { DeployError } from '../errors';
import { AwsService, callAwsApi } from './aws-api';

const CLOUDFORMATION: AwsService = { signingName: 'cloudformation', endpointPrefix: 'cloudformation', endpointVariable: 'AWS_ENDPOINT_URL_CLOUDFORMATION' };

export async function modelsOfStack(stackId: string, within: Deadline): Promise<Set<string>> {
  // Bounded on its own: a worker in a VPC without a route to CloudFormation must not wait out the whole invocation.
  const deadline = new Deadline(Math.min(within.endsAt, Date.now() + 15_000));
  const region = process.env.AWS_REGION ?? '';
  const ids = new Set<string>();
  let next: string | undefined;
  do {
    const response = await callAwsApi(CLOUDFORMATION, {
      region,
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: `Action=ListStackResources&Version=2010-05-15&StackName=${encodeURIComponent(stackId)}${next ? `&NextToken=${encodeURIComponent(next)}` : ''}`,
      deadline,
      idempotent: true,
    });
    if (response.status !== 200) {
      throw new DeployError(`Could not list the stack's resources to find the models it manages: CloudFormation answered ${response.status}: ${tag(response.text, 'Message') ?? response.text.slice(0, 300)}.`);
    }
    for (const member of response.text.split('<member>').slice(1)) {
      const physicalId = tag(member, 'PhysicalResourceId');
      if (tag(member, 'ResourceType') === MODEL_RESOURCE_TYPE && physicalId) ids.add(physicalId);
    }
    // Wherever the answer puts it: no member of StackResourceSummaries has a NextToken of its own.
    next = tag(response.text, 'NextToken');
  } while (next);
  return ids;
}

/** The text of the first <name> element, XML entities decoded. */
function tag(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match?.[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, '\'').replace(/&amp;/g, '&');
}
