// The body the target sends for a cached `GET /api/inventory/SKU-000001`: what the peer servers of
// bench/target-logging.ts (bare-node-server.js, fastify-floor-server.js) answer to every request.
export const inventoryBody = JSON.stringify({ sku: 'SKU-000001', name: 'Item 1', location: 'A-01-01', quantity: 339, reserved: 0, available: 339 });
