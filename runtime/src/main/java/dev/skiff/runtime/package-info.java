/** The Skiff inference runtime: command line and server assembly. */
package dev.skiff.runtime;
