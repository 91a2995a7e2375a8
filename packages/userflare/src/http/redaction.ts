/**
 * A token value (scannable `cfut_…` or legacy 40 characters), a 37-hex global key, or a generated
 * admin key (43 base64url characters). 32-hex resource ids do not match.
 */
const CREDENTIAL_SHAPED = /^(cfut_[0-9A-Za-z]{46}|[A-Za-z0-9_-]{40,}|[0-9a-f]{37})$/;
const REDACTED = '<redacted>';

export function redactCredential(value: string): string {
  return CREDENTIAL_SHAPED.test(value) ? REDACTED : value;
}

/**
 * A path with every credential-shaped segment replaced: clients sometimes put a secret in a URL, and
 * paths are echoed in 7003 errors, logs and the journal, which end up in CI output (SECURITY.md).
 */
export function redactPath(path: string): string {
  return path.split('/').map(redactCredential).join('/');
}
