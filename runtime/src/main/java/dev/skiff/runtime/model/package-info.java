/** The model repository: settings, versions, loading and load-time schema checks. */
package dev.skiff.runtime.model;
