/**
 * How a bank writes its statements, as a site declares it per bank (`banks[].statements`): the
 * format, the encoding, the delimiter, the XML package size and which kinds the bank sends. Apart
 * from format.ts (the layouts): the comparison's thread reads statements without loading zod.
 */
import { z } from 'zod';
import { statementEncodings, statementFormats } from './format.ts';
import { statementKinds } from './statement.ts';

export const statementFormatSchema = z
  .object({
    format: z.enum(statementFormats).default('xml'),
    encoding: z.enum(statementEncodings).default('UTF-8'),
    /** Delimited files: the one-character column separator. */
    delimiter: z
      .string()
      .length(1)
      .refine((d) => d !== '\n' && d !== '\r' && d !== '.', 'not a line break or a dot')
      .default('|'),
    /** XML: detail lines per package (ChildPackNum follows from it). */
    packageLines: z.number().int().min(1).max(100_000).default(1000),
    /** The kinds the bank sends. */
    kinds: z
      .array(z.enum(statementKinds))
      .min(1)
      .default([...statementKinds]),
  })
  .strict();
export type StatementFormat = z.infer<typeof statementFormatSchema>;
