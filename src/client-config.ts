import { Duration } from 'aws-cdk-lib';

/**
 * How OpenSearch retries the calls of a connector (`retry_backoff_policy`).
 */
export enum RetryBackoffPolicy {
  /** the same wait between every retry */
  CONSTANT = 'constant',
  /** exponential backoff, half of each wait random */
  EXPONENTIAL_EQUAL_JITTER = 'exponential_equal_jitter',
  /** exponential backoff, all of each wait random */
  EXPONENTIAL_FULL_JITTER = 'exponential_full_jitter',
}

/**
 * The HTTP client OpenSearch uses to call the model (the connector's `client_config`).
 * Needs OpenSearch 2.13; the retry settings need 2.15.
 */
export interface ConnectorClientConfig {
  /**
   * Connections OpenSearch keeps open to the model (`max_connection`).
   *
   * @default 30
   */
  readonly maxConnections?: number;

  /**
   * Time to establish a connection (`connection_timeout`). Sent in milliseconds to
   * OpenSearch 2.13 and 2.14 and in seconds from 2.15, which read the field differently.
   *
   * @default Duration.seconds(30)
   */
  readonly connectionTimeout?: Duration;

  /**
   * Time to wait for the model's answer (`read_timeout`), with the same units caveat as `connectionTimeout`.
   *
   * @default Duration.seconds(30)
   */
  readonly readTimeout?: Duration;

  /**
   * How often a throttled call is retried (`max_retry_times`; OpenSearch 2.15+). -1 retries until `retryTimeout`.
   *
   * @default 0
   */
  readonly maxRetries?: number;

  /**
   * The base wait between retries (`retry_backoff_millis`; OpenSearch 2.15+).
   *
   * @default Duration.millis(200)
   */
  readonly retryBackoff?: Duration;

  /**
   * How long retries may go on (`retry_timeout_seconds`; OpenSearch 2.15+).
   *
   * @default Duration.seconds(30)
   */
  readonly retryTimeout?: Duration;

  /**
   * How the wait grows between retries (`retry_backoff_policy`; OpenSearch 2.15+).
   *
   * @default RetryBackoffPolicy.CONSTANT
   */
  readonly retryBackoffPolicy?: RetryBackoffPolicy;
}
