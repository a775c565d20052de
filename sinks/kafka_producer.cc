#include "sinks/kafka_producer.h"

#include <librdkafka/rdkafka.h>

// librdkafka's RD_KAFKA_V_* macros expand to GNU statement expressions, which clang's -Wpedantic
// reports; g++ accepts them silently.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wgnu-statement-expression"
#endif

namespace earshot::sinks {

bool IsSecretProperty(std::string_view name) {
  for (std::string_view needle : {"password", "secret", "key", "token", "jaas"}) {
    if (name.find(needle) != std::string_view::npos) return true;
  }
  return false;
}

std::unique_ptr<KafkaProducer> KafkaProducer::Create(
    const std::map<std::string, std::string>& properties, DeliveryFn on_delivery,
    std::function<void(std::string_view)> on_stats, std::string& error) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      // errstr names the property, not its value, so secrets stay out of the message.
      error = "kafka producer property '" + name + "': " + errstr;
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
  }
  std::unique_ptr<KafkaProducer> producer(new KafkaProducer());
  producer->on_delivery_ = std::move(on_delivery);
  producer->on_stats_ = std::move(on_stats);
  if (producer->on_stats_) {
    rd_kafka_conf_set_stats_cb(conf, [](rd_kafka_t*, char* json, size_t len, void* opaque) {
      static_cast<KafkaProducer*>(opaque)->on_stats_(std::string_view(json, len));
      return 0;  // librdkafka frees the JSON
    });
  }
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque) {
    OnDelivery(rk, m, opaque);
  });
  rd_kafka_conf_set_opaque(conf, producer.get());
  producer->handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (producer->handle_ == nullptr) {
    error = std::string("cannot create the kafka producer: ") + errstr;
    return nullptr;
  }
  return producer;
}

KafkaProducer::~KafkaProducer() {
  if (handle_ != nullptr) {
    rd_kafka_flush(handle_, 5000);
    for (auto& [name, topic] : topics_) rd_kafka_topic_destroy(topic);
    rd_kafka_destroy(handle_);
  }
}

void KafkaProducer::PrepareTopics(const std::vector<std::string>& topics) {
  for (const std::string& name : topics) {
    // A new topic handle makes librdkafka request the topic's metadata at once.
    if (rd_kafka_topic_t* topic = rd_kafka_topic_new(handle_, name.c_str(), nullptr)) {
      topics_.emplace_back(name, topic);
    }
  }
}

void KafkaProducer::OnDelivery(rd_kafka_s* /*rk*/, const void* message, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  const auto* m = static_cast<const rd_kafka_message_t*>(message);
  auto token = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(m->_private));
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->on_delivery_(token, true, {});
  } else {
    self->on_delivery_(token, false, rd_kafka_err2str(m->err));
  }
}

ProduceStatus KafkaProducer::Produce(const std::string& topic, std::string_view key,
                                     std::string_view value, const std::vector<Header>& headers,
                                     uint64_t token, std::string* error_text) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (!headers.empty()) {
    hdrs = rd_kafka_headers_new(headers.size());
    for (const Header& h : headers) {
      rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()), h.value.data(),
                          static_cast<ssize_t>(h.value.size()));
    }
  }
  rd_kafka_vu_t vu[6];
  size_t n = 0;
  rd_kafka_topic_t* handle = nullptr;
  for (const auto& [name, t] : topics_) {
    if (name == topic) {
      handle = t;
      break;
    }
  }
  if (handle != nullptr) {
    vu[n].vtype = RD_KAFKA_VTYPE_RKT;
    vu[n++].u.rkt = handle;
  } else {
    vu[n].vtype = RD_KAFKA_VTYPE_TOPIC;
    vu[n++].u.cstr = topic.c_str();
  }
  vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu[n++].u.i = RD_KAFKA_MSG_F_COPY;
  vu[n].vtype = RD_KAFKA_VTYPE_KEY;
  vu[n].u.mem.ptr = const_cast<char*>(key.data());
  vu[n++].u.mem.size = key.size();
  vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
  vu[n].u.mem.ptr = const_cast<char*>(value.data());
  vu[n++].u.mem.size = value.size();
  vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[n++].u.ptr = reinterpret_cast<void*>(static_cast<uintptr_t>(token));
  if (hdrs != nullptr) {
    vu[n].vtype = RD_KAFKA_VTYPE_HEADERS;
    vu[n++].u.headers = hdrs;
  }
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (rd_kafka_error_t* error = rd_kafka_produceva(handle_, vu, n)) {
    err = rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
    if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);  // not taken over
  }
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return ProduceStatus::kOk;
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return ProduceStatus::kQueueFull;
  if (error_text != nullptr) *error_text = rd_kafka_err2str(err);
  return ProduceStatus::kFailed;
}

int KafkaProducer::Poll(int timeout_ms) { return rd_kafka_poll(handle_, timeout_ms); }

bool KafkaProducer::Flush(int timeout_ms) {
  return rd_kafka_flush(handle_, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

void KafkaProducer::Purge() {
  rd_kafka_purge(handle_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(handle_, 0);
}

int KafkaProducer::OutQueueLength() const { return rd_kafka_outq_len(handle_); }

}  // namespace earshot::sinks
