/** Model formats behind one interface, found with ServiceLoader. */
package dev.skiff.runtime.backend;
