/** Images in and labels or boxes out: decoding with limits, preprocessing, top-k and detection. */
package dev.skiff.runtime.image;
