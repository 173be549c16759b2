#include "anomaly.h"

namespace flowlens::decode {

std::string_view anomalyName(Anomaly a)
{
    switch (a) {
    case Anomaly::UnknownProtocol:
        return "unknown_protocol";
    case Anomaly::TruncatedHeader:
        return "truncated_header";
    case Anomaly::BadLength:
        return "bad_length";
    case Anomaly::TrailingBytes:
        return "trailing_bytes";
    case Anomaly::CountMismatch:
        return "count_mismatch";
    case Anomaly::TruncatedRecord:
        return "truncated_record";
    case Anomaly::BadSetId:
        return "bad_set_id";
    case Anomaly::BadSetLength:
        return "bad_set_length";
    case Anomaly::MalformedTemplate:
        return "malformed_template";
    case Anomaly::TemplateLimit:
        return "template_limit";
    case Anomaly::MissingTemplate:
        return "missing_template";
    case Anomaly::BadFieldLength:
        return "bad_field_length";
    case Anomaly::BadVariableLength:
        return "bad_variable_length";
    case Anomaly::ExporterLimit:
        return "exporter_limit";
    case Anomaly::BadSample:
        return "bad_sample";
    case Anomaly::Count_:
        break;
    }
    return "unknown";
}

} // namespace flowlens::decode
