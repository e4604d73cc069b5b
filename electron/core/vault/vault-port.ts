/**
 * What the rest of the core needs from the vault: authenticated encryption bound to a record.
 * `aad` must name the record the ciphertext belongs to (e.g. `connection:<id>:credential`), so a ciphertext
 * copied onto another row fails to open. Both throw AppError('VAULT_LOCKED') while the vault is locked.
 * Plaintext never leaves the core except through an audited reveal.
 */
export type VaultPort = {
  isUnlocked(): boolean;
  seal(plaintext: Buffer, aad: string): Buffer;
  open(sealed: Buffer, aad: string): Buffer;
};
