import { describe, expect, it } from 'vitest';
import { redirectRefusal } from '../../../src/connectors/http.js';

const url = (text: string) => new URL(text);

describe('redirects ferry does not follow', () => {
  it('follows http to https, the same origin, and a request without a body to another origin', () => {
    expect(redirectRefusal(url('http://shop.test/a'), url('https://shop.test/a'), 0, true)).toBeUndefined();
    expect(redirectRefusal(url('https://shop.test/a'), url('https://shop.test/b'), 4, true)).toBeUndefined();
    expect(redirectRefusal(url('https://shop.test/a'), url('https://cdn.test/a'), 0, false)).toBeUndefined();
  });

  it('refuses a sixth redirect, a Location that is not an http(s) URL, https to http, and a body to another origin', () => {
    expect(redirectRefusal(url('https://shop.test/a'), url('https://shop.test/b'), 5, false)).toBe(
      'more than 5 times',
    );
    expect(redirectRefusal(url('https://shop.test/a'), null, 0, false)).toBe('not to an http(s) URL');
    expect(redirectRefusal(url('https://shop.test/a'), url('ftp://shop.test/a'), 0, false)).toBe(
      'not to an http(s) URL',
    );
    expect(redirectRefusal(url('https://shop.test/a'), url('http://shop.test/a'), 0, false)).toBe(
      'from https to http',
    );
    expect(redirectRefusal(url('https://shop.test/login'), url('https://other.test/login'), 0, true)).toBe(
      'with its body to another origin',
    );
  });
});
