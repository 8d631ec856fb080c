package dev.skiff.runtime.backend.dl4j;

import dev.skiff.runtime.backend.ModelLoadException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;

/**
 * Tensor shapes from a DL4J layer configuration. DL4J does not keep the network's input type once a
 * configuration is built, so the input shape comes from the first layer's {@code nIn} and data
 * format (image height and width stay open, -1) and the output shape from the last layer's {@code
 * nOut}. The batch dimension is always -1.
 */
final class NetworkShapes {
  private NetworkShapes() {}

  /** The shape a layer (with the preprocessor in front of it, if any) accepts. */
  static long[] input(Layer layer, InputPreProcessor preProcessor, String where) {
    if (preProcessor instanceof FeedForwardToCnnPreProcessor toCnn) {
      return new long[] {
        -1, toCnn.getInputHeight() * toCnn.getInputWidth() * toCnn.getNumChannels()
      };
    }
    if (layer instanceof ConvolutionLayer conv && conv.getNIn() > 0) {
      return conv.getCnn2dDataFormat() == CNN2DFormat.NHWC
          ? new long[] {-1, -1, -1, conv.getNIn()}
          : new long[] {-1, conv.getNIn(), -1, -1};
    }
    if (layer instanceof BaseRecurrentLayer rnn && rnn.getNIn() > 0) {
      return rnn.getRnnDataFormat() == RNNFormat.NWC
          ? new long[] {-1, -1, rnn.getNIn()}
          : new long[] {-1, rnn.getNIn(), -1};
    }
    if (layer instanceof FeedForwardLayer dense && dense.getNIn() > 0) {
      return new long[] {-1, dense.getNIn()};
    }
    throw new ModelLoadException(
        where
            + ": cannot tell the input shape of a network that starts with a "
            + layer.getClass().getSimpleName()
            + "; the Deeplearning4j backend needs a first layer with nIn (dense, convolution or"
            + " recurrent)");
  }

  /**
   * The shape a layer produces, or null when it only passes its input's shape through (activation,
   * dropout and loss layers), in which case the caller asks the layer before it.
   */
  static long[] output(Layer layer, String where) {
    if (layer instanceof RnnOutputLayer rnn && rnn.getNOut() > 0) {
      return rnn.getRnnDataFormat() == RNNFormat.NWC
          ? new long[] {-1, -1, rnn.getNOut()}
          : new long[] {-1, rnn.getNOut(), -1};
    }
    if (layer instanceof CnnLossLayer) {
      return new long[] {-1, -1, -1, -1};
    }
    if (layer instanceof ActivationLayer
        || layer instanceof DropoutLayer
        || (layer instanceof LossLayer loss && loss.getNOut() <= 0)) {
      return null;
    }
    if (layer instanceof ConvolutionLayer conv && conv.getNOut() > 0) {
      return conv.getCnn2dDataFormat() == CNN2DFormat.NHWC
          ? new long[] {-1, -1, -1, conv.getNOut()}
          : new long[] {-1, conv.getNOut(), -1, -1};
    }
    if (layer instanceof FeedForwardLayer dense && dense.getNOut() > 0) {
      return new long[] {-1, dense.getNOut()};
    }
    throw new ModelLoadException(
        where
            + ": cannot tell the output shape of a network that ends with a "
            + layer.getClass().getSimpleName());
  }
}
