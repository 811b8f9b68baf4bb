import { describe, expect, it } from 'vitest';
import { connectionEnv, resolveSourceConnection } from '../../../src/config.js';

const resolve =
  (env: NodeJS.ProcessEnv, name = 'erp') =>
  () =>
    resolveSourceConnection(name, env, undefined);

describe('source connections from the environment', () => {
  it('reads a WooCommerce connection by default and an SAP one when its kind says so', () => {
    expect(
      resolve(
        {
          FERRY_CONN_SHOP_URL: 'https://shop.example.com',
          FERRY_CONN_SHOP_KEY: 'ck',
          FERRY_CONN_SHOP_SECRET: 'cs',
        },
        'shop',
      )(),
    ).toEqual({
      kind: 'woocommerce',
      baseUrl: 'https://shop.example.com',
      consumerKey: 'ck',
      consumerSecret: 'cs',
    });
    expect(
      resolve({
        FERRY_CONN_ERP_KIND: 'sap',
        FERRY_CONN_ERP_URL: 'https://sap.example.com:50000/b1s/v1',
        FERRY_CONN_ERP_COMPANY_DB: 'SBODEMO',
        FERRY_CONN_ERP_USER: 'manager',
        FERRY_CONN_ERP_PASSWORD: 'secret',
      })(),
    ).toEqual({
      kind: 'sap',
      baseUrl: 'https://sap.example.com:50000/b1s/v1',
      companyDb: 'SBODEMO',
      userName: 'manager',
      password: 'secret',
    });
  });

  it('names the variable that is missing or wrong', () => {
    expect(
      resolve({
        FERRY_CONN_ERP_KIND: 'sap',
        FERRY_CONN_ERP_URL: 'https://sap.example.com/b1s/v1',
        FERRY_CONN_ERP_COMPANY_DB: 'X',
        FERRY_CONN_ERP_USER: 'u',
      }),
    ).toThrow(/^Connection "erp": FERRY_CONN_ERP_PASSWORD is invalid/);
    expect(resolve({ FERRY_CONN_ERP_KIND: 'oracle', FERRY_CONN_ERP_URL: 'https://x.example.com' })).toThrow(
      'Connection "erp": FERRY_CONN_ERP_KIND is "oracle"; it must be one of woocommerce, sap',
    );
  });

  it('writes a connection as the variables it is read back from, for either kind', () => {
    const shop = {
      kind: 'woocommerce' as const,
      baseUrl: 'https://shop.example.com',
      consumerKey: 'ck',
      consumerSecret: 'cs',
    };
    const erp = {
      kind: 'sap' as const,
      baseUrl: 'https://sap.example.com:50000/b1s/v1',
      companyDb: 'SBODEMO',
      userName: 'manager',
      password: 'secret',
    };
    expect(connectionEnv('shop-eu', shop)).toEqual({
      FERRY_CONN_SHOP_EU_KIND: 'woocommerce',
      FERRY_CONN_SHOP_EU_URL: 'https://shop.example.com',
      FERRY_CONN_SHOP_EU_KEY: 'ck',
      FERRY_CONN_SHOP_EU_SECRET: 'cs',
    });
    expect(resolveSourceConnection('shop-eu', connectionEnv('shop-eu', shop), undefined)).toEqual(shop);
    expect(resolveSourceConnection('erp', connectionEnv('erp', erp), undefined)).toEqual(erp);
  });
});
