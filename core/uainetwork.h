#pragma once

#include "loopsettings.h"

#include <ATen/ATen.h>

#include <utility>
#include <vector>

namespace uai {

/// A fully connected layer y = x W^T + b with Glorot-uniform weights and zero bias, the
/// initialisation TensorFlow's dense layers use.
struct DenseLayer {
    at::Tensor weight; ///< [out, in]
    at::Tensor bias;   ///< [out]

    static DenseLayer create(int inputs, int outputs, at::Generator &generator);
    at::Tensor forward(const at::Tensor &input) const;
};

/// A base anomaly detector (denoising autoencoder or classifier) with the UAI layer on top:
///   uai(x) = W [latent(x); score(x); extra(x)] + b   (a logit; its sigmoid is the UAI score)
/// The score enters the layer detached, so the verdict loss reshapes the latent only. extra(x)
/// contains extraInputs fixed scores computed outside the network, such as an isolation-forest
/// score. It is empty by default.
///
/// Hidden layers use ReLU. The autoencoder's bottleneck is linear and its decoder mirrors the
/// encoder with independent weights; the classifier's latent is its last hidden layer.
class UaiNetwork
{
public:
    /// Output of one forward pass over a batch.
    struct Pass {
        at::Tensor latent;   ///< [batch, latentSize]
        at::Tensor itemLoss; ///< [batch]; the base loss per item, which is also its anomaly score
    };

    /// classCount is used by the classifier only; inputNoise by the autoencoder only. The UAI
    /// layer's weights on the extraInputs extra scores start at 0 and the others draw as without
    /// them, so adding extra scores changes neither the base model nor the first UAI ranking.
    UaiNetwork(ModelKind kind,
               int inputSize,
               int classCount,
               const std::vector<int> &hiddenSizes,
               double inputNoise,
               at::Generator &generator,
               int extraInputs = 0);

    /// Runs the base model on a batch. With noise, Gaussian noise is added to the autoencoder's
    /// input but the reconstruction is compared with the clean input. classes is a [batch]
    /// int64 tensor for the classifier and ignored by the autoencoder.
    Pass forward(const at::Tensor &input,
                 const at::Tensor &classes,
                 bool withNoise,
                 at::Generator *generator) const;

    /// Returns the autoencoder's reconstruction of a clean input batch; undefined for the
    /// classifier.
    at::Tensor reconstruct(const at::Tensor &input) const;

    /// Returns the UAI layer's logit for latent vectors, (detached) anomaly scores and, when the
    /// layer has extra inputs, the [batch, extraInputs] extra scores.
    at::Tensor uaiLogit(const at::Tensor &latent,
                        const at::Tensor &score,
                        const at::Tensor &extraScores = {}) const;

    /// Standardises the UAI layer's inputs with these means and standard deviations
    /// ([uaiInputCount()] each: latent, score, extra scores) and sets the score weight 1, the
    /// other weights 0 and the bias 0. The logit is then the standardised anomaly score until
    /// verdicts move it.
    void anchorUaiLayer(const at::Tensor &inputMean, const at::Tensor &inputScale);
    /// Sets the standardisation without touching the weights (restoring a saved state).
    void setUaiInputStandardisation(const at::Tensor &inputMean, const at::Tensor &inputScale);
    /// Means and standard deviations the layer standardises with; undefined when it reads its
    /// inputs as they are.
    const at::Tensor &uaiInputMean() const { return m_uaiInputMean; }
    const at::Tensor &uaiInputScale() const { return m_uaiInputScale; }
    /// The layer's weights ([uaiInputCount()]) and bias for raw, unstandardised inputs.
    std::pair<at::Tensor, float> uaiLayerOnRawInputs() const;

    /// All trainable tensors: the base model's, then the UAI weight and bias.
    std::vector<at::Tensor> parameters() const;
    /// The base model's tensors only, for pretraining.
    std::vector<at::Tensor> baseParameters() const;

    int latentSize() const { return m_latentSize; }
    int extraInputCount() const { return m_extraInputs; }
    /// Inputs of the UAI layer: the latent vector, the anomaly score and the extra scores.
    int uaiInputCount() const { return m_latentSize + 1 + m_extraInputs; }
    const at::Tensor &uaiWeight() const { return m_uai.weight; }
    const at::Tensor &uaiBias() const { return m_uai.bias; }

private:
    at::Tensor encode(const at::Tensor &input) const;
    at::Tensor decode(const at::Tensor &latent) const;

    ModelKind m_kind;
    int m_latentSize = 0;
    int m_extraInputs = 0;
    double m_inputNoise = 0.0;
    std::vector<DenseLayer> m_encoder; ///< Autoencoder encoder, or the classifier's hidden layers.
    std::vector<DenseLayer> m_decoder; ///< Autoencoder decoder, or the classifier's output layer.
    DenseLayer m_uai;
    at::Tensor m_uaiInputMean;
    at::Tensor m_uaiInputScale;
};

} // namespace uai
