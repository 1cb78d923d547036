/**
 * Implementation of {@code io.herald.client}. Public only because Java packages leave no
 * other choice: not API, may change in any release.
 */
package io.herald.client.internal;
