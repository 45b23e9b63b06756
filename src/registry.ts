/*
 * What models need to know about connectors and model groups of this app: their target
 * binding and the blueprint's embedding facts. Internal: not exported from the package.
 */
import type { EmbeddingModelInfo } from './blueprints/types';
import type { TargetBinding } from './target';

/** What models need to know about a connector of this app. */
export interface ConnectorRegistration {
  readonly binding: TargetBinding;
  /** the blueprint's embedding dimension and probe, when it has them */
  readonly embedding?: EmbeddingModelInfo;
}

const registrations = new WeakMap<object, ConnectorRegistration>();

export function registerConnector(connector: object, registration: ConnectorRegistration): void {
  registrations.set(connector, registration);
}

/** The target binding and blueprint facts of a connector defined in this app, if it is one. */
export function connectorRegistration(connector: object): ConnectorRegistration | undefined {
  return registrations.get(connector);
}
