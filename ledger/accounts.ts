/** Ledger account names: the customer's funds, and what the merchant is owed once the hold is captured. */
export const ledgerAccounts = {
  customer: (accountId: string) => `customer:${accountId}`,
  merchantPending: (merchantId: string) => `merchant:${merchantId}:pending`,
};
