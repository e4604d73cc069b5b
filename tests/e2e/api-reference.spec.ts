import { test, expect } from './fixtures';

/**
 * The API reference (GET /docs) in Chromium: Swagger UI renders this server's own /openapi.json, under the page's
 * CSP, without a token, and nothing on the page reaches another host. Swagger UI's DOM is third-party: its own
 * class names are the selectors inside our data-testid container.
 */
test('the API reference lists the operations of /openapi.json, under the CSP, with no request off this host', async ({ page, console: c }) => {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  const hosts = new Set<string>();
  page.on('request', (r) => hosts.add(new URL(r.url()).origin));

  await page.goto(`${c.baseUrl}/docs`);
  const reference = page.getByTestId('api-reference');
  await expect(reference.locator('.opblock-tag-section').first()).toBeVisible();
  await expect(reference.locator('.info .title')).toContainText('ProvenanceOne Desktop REST API');

  // Operations of several tags, by path, as the document describes them.
  const revealOp = reference.locator('.opblock-post').filter({ hasText: '/secrets/{id}/reveal' });
  await expect(revealOp).toBeVisible();
  await expect(reference.locator('.opblock-get').filter({ hasText: '/datastores/{id}/objects/{key}' })).toBeVisible();
  await expect(reference.locator('.opblock-post').filter({ hasText: '/auth/login' })).toBeVisible();
  expect(await reference.locator('.opblock').count()).toBeGreaterThan(30);

  // An operation opens with its parameters and responses.
  await revealOp.locator('.opblock-summary').click();
  await expect(revealOp.locator('.parameters')).toContainText('x-workspace-id');
  await expect(revealOp.locator('.responses-wrapper')).toContainText('423');

  expect(problems).toEqual([]);
  expect([...hosts]).toEqual([c.baseUrl]);
});
