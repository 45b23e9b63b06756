import { Errors } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { ConnectorBlueprint, MlConnector } from '../src';
import { testStack } from './util';

/** What `build` throws. */
function thrown(build: () => void): unknown {
  try {
    build();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

test('aws-cdk-lib\'s Errors.isValidationError() is true for the library\'s validation errors', () => {
  const stack = testStack();
  const error = thrown(() => new MlConnector(stack, 'C', {
    domain: opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://search-x-abc.us-east-1.es.amazonaws.com'),
    blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'my_endpoint' }),
  }));
  expect(Errors.isValidationError(error)).toBe(true);
  expect(Errors.isConstructError(error)).toBe(true);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name).toBe('ValidationError');
  expect((error as Error).message).toMatch(/^TestStack\/C: blueprint endpointName /);
});

test('and false for other errors, so the markers are not on every Error', () => {
  expect(Errors.isValidationError(new Error('x'))).toBe(false);
});
