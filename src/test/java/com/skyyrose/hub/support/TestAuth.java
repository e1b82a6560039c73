package com.skyyrose.hub.support;

/**
 * Credentials for tests that call {@code /api/v1} operations. Every such call in a test goes through here, so the
 * identity capability decides in one place how a test authenticates (it returns the headers to add).
 * Until identity and access land the API is open, and these are empty.
 */
public final class TestAuth {

    private TestAuth() {
    }

    /** Headers of an administrator (every permission). */
    public static String[] admin(TestHttp http) {
        return new String[0];
    }

    /** Headers of a user holding exactly these permissions. */
    public static String[] withPermissions(TestHttp http, String... permissions) {
        return new String[0];
    }
}
