import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectionEnv, isConnectionEnvVar, resolveSourceConnection } from '../../../src/config.js';
import { defineConnectionKind, registerConnectionKind } from '../../../src/kit/connections.js';

const resolve =
  (env: NodeJS.ProcessEnv, name = 'erp') =>
  () =>
    resolveSourceConnection(name, env, undefined);

describe('source connections from the environment', () => {
  it('reads an e-Boekhouden connection, its application name ferry unless given', () => {
    const env = {
      FERRY_CONN_BOEKEN_KIND: 'eboekhouden',
      FERRY_CONN_BOEKEN_URL: 'https://api.e-boekhouden.nl/v1',
      FERRY_CONN_BOEKEN_TOKEN: 'token',
    };
    expect(resolve(env, 'boeken')()).toEqual({
      kind: 'eboekhouden',
      baseUrl: 'https://api.e-boekhouden.nl/v1',
      accessToken: 'token',
      source: 'ferry',
    });
    expect(() => resolve({ ...env, FERRY_CONN_BOEKEN_SOURCE: 'far-too-long-a-name' }, 'boeken')()).toThrow(
      /FERRY_CONN_BOEKEN_SOURCE/,
    );
  });

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

  it('reads a kind registered by its definition, without a change to ferry, and names what is missing', () => {
    const neon = defineConnectionKind({
      kind: 'neon-test',
      fields: {
        baseUrl: { variable: 'URL', schema: z.url() },
        orgId: { variable: 'ORG_ID', schema: z.string().min(1) },
        apiKey: { variable: 'API_KEY', schema: z.string().min(1) },
      },
    });
    registerConnectionKind(neon);
    const env = {
      FERRY_CONN_CRM_KIND: 'neon-test',
      FERRY_CONN_CRM_URL: 'https://api.neoncrm.example/v2',
      FERRY_CONN_CRM_ORG_ID: 'org1',
      FERRY_CONN_CRM_API_KEY: 'k3y',
    };
    const crm = {
      kind: 'neon-test',
      baseUrl: 'https://api.neoncrm.example/v2',
      orgId: 'org1',
      apiKey: 'k3y',
    };
    expect(resolve(env, 'crm')()).toEqual(crm);
    expect(connectionEnv('crm', crm)).toEqual(env);
    expect(isConnectionEnvVar('FERRY_CONN_CRM_ORG_ID')).toBe(true);
    expect(isConnectionEnvVar('FERRY_CONN_CRM_COLOUR')).toBe(false);
    const { FERRY_CONN_CRM_API_KEY: _key, ...withoutKey } = env;
    expect(resolve(withoutKey, 'crm')).toThrow(/^Connection "crm": FERRY_CONN_CRM_API_KEY is invalid/);
    expect(resolve({}, 'crm')).toThrow(
      /neon-test: FERRY_CONN_CRM_URL, FERRY_CONN_CRM_ORG_ID, FERRY_CONN_CRM_API_KEY/,
    );
  });
});
