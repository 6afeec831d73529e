// Op registrations and shape functions. Kernels live in *_kernel.cc.
#include "tensorflow/core/framework/common_shape_fns.h"
#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/shape_inference.h"

namespace tfdicom {
namespace {

using ::tensorflow::shape_inference::InferenceContext;
using ::tensorflow::shape_inference::ShapeHandle;

// The rank is fixed by color_dim, never by the file: 3 ([frames, rows,
// columns]) or 4 (plus channels). Dimensions are known only at run time.
absl::Status DecodeDicomImageShape(InferenceContext* c) {
  ShapeHandle unused;
  TF_RETURN_IF_ERROR(c->WithRank(c->input(0), 0, &unused));
  bool color_dim = false;
  TF_RETURN_IF_ERROR(c->GetAttr("color_dim", &color_dim));
  c->set_output(0, c->UnknownShapeOfRank(color_dim ? 4 : 3));
  return absl::OkStatus();
}

}  // namespace

REGISTER_OP("TFDicom>DecodeDicomImage")
    .Input("contents: string")
    .Output("image: dtype")
    .Attr("color_dim: bool = false")
    .Attr("on_error: {'strict', 'skip', 'lossy'} = 'skip'")
    .Attr("scale: {'preserve', 'auto'} = 'preserve'")
    .Attr("values: {'stored', 'modality', 'display'} = 'stored'")
    .Attr("max_output_bytes: int = 1073741824")
    .Attr(
        "dtype: {uint8, uint16, uint32, uint64, int8, int16, int32, int64, "
        "half, bfloat16, float, double} = DT_UINT16")
    .SetShapeFn(DecodeDicomImageShape)
    .Doc(R"doc(
Decodes every frame of one DICOM file into [frames, rows, columns] or, with
color_dim, [frames, rows, columns, channels].
)doc");

}  // namespace tfdicom

namespace tfdicom {
namespace {

// decode_dicom_data: one string per tag, in the shape of `tags`; contents
// must be a scalar.
absl::Status DecodeDicomDataShape(InferenceContext* c) {
  ShapeHandle unused;
  TF_RETURN_IF_ERROR(c->WithRank(c->input(0), 0, &unused));
  c->set_output(0, c->input(1));
  return absl::OkStatus();
}

// decode_dicom_json: one scalar string.
absl::Status DecodeDicomJsonShape(InferenceContext* c) {
  ShapeHandle unused;
  TF_RETURN_IF_ERROR(c->WithRank(c->input(0), 0, &unused));
  c->set_output(0, c->Scalar());
  return absl::OkStatus();
}

}  // namespace

REGISTER_OP("TFDicom>DecodeDicomData")
    .Input("contents: string")
    .Input("tags: T")
    .Output("values: string")
    .Attr("T: {uint32, int64, int32, string} = DT_UINT32")
    .SetShapeFn(DecodeDicomDataShape)
    .Doc(R"doc(
Returns the value of each tag of one DICOM file as UTF-8 text, in the shape of
tags. Integer tags are (group << 16) | element; string tags are keywords,
"(gggg,eeee)" tags or paths into sequences ("Sequence[0].Keyword"). An absent
tag gives ''.
)doc");

REGISTER_OP("TFDicom>DecodeDicomJson")
    .Input("contents: string")
    .Output("json: string")
    .SetShapeFn(DecodeDicomJsonShape)
    .Doc(R"doc(
Returns the data set of one DICOM file as DICOM JSON (PS3.18 F.2), without the
meta header and without the pixel data.
)doc");

}  // namespace tfdicom
