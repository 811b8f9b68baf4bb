import type { Cursor } from '../../migrations/types.js';
import type { RestApi, RestClient } from '../source/rest-api.js';
import type { FieldCatalogue, FieldInfo, FieldValue } from './catalogue.js';
import type { SearchCondition } from './plan.js';

/** A record as a field migration reads it: its key, its values by field key, and what the API needs to write it. */
export interface FieldRecord {
  key: string;
  values: Record<string, FieldValue>;
  /** What else a write needs (Neon: whether it is an individual or a company account). */
  kind?: string | null;
}

/** Requests at the same time the API allows per endpoint. */
export interface EndpointLimits {
  search: number;
  read: number;
  write: number;
}

/**
 * An API whose records' fields a migration rewrites in place (Neon CRM's accounts): how its fields are described,
 * how records are searched (several per request, with the fields asked for) or read one by one, and how one
 * record's changed fields are written. `F` is what the connector keeps of the field descriptions.
 */
export interface FieldRecordApi<F extends { catalogue: FieldCatalogue } = { catalogue: FieldCatalogue }> {
  api: RestApi;
  limits: EndpointLimits;
  /** The largest search page. */
  maxPageSize: number;
  describeFields(client: RestClient): Promise<F>;
  /** A page of the records that match, after `cursor`, with these fields. */
  search(
    client: RestClient,
    fields: F,
    request: {
      conditions: readonly SearchCondition[];
      read: readonly FieldInfo[];
      cursor: Cursor;
      size: number;
    },
  ): Promise<{ records: FieldRecord[]; next: Cursor | null; total?: number }>;
  /** One record with these fields; undefined when the API does not have it. */
  read(
    client: RestClient,
    fields: F,
    key: string,
    read: readonly FieldInfo[],
  ): Promise<FieldRecord | undefined>;
  /** Writes these fields of the record, and only these (Neon: a PATCH). */
  write(
    client: RestClient,
    fields: F,
    record: FieldRecord,
    changes: Readonly<Record<string, FieldValue>>,
  ): Promise<void>;
}
