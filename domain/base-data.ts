/** The kinds of base data (基础资料) finance keeps and pushes to each bank, each with its own version. */
export const baseDataKinds = ['budget_unit', 'payee_account', 'subject'] as const;
export type BaseDataKind = (typeof baseDataKinds)[number];
