#include "tests/integration/kafka_harness.h"

#include <arpa/inet.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "sinks/kafka_producer.h"

namespace earshot::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "earshot-it-XXXXXX").string();
  path = mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

bool ProduceAll(const std::string& bootstrap, const std::vector<app::GeneratedRecord>& records) {
  std::atomic<int64_t> acked{0}, failed{0};
  std::string error;
  auto producer = sinks::KafkaProducer::Create(
      {{"bootstrap.servers", bootstrap}, {"linger.ms", "2"}},
      [&](uint64_t, bool ok, std::string_view) { (ok ? acked : failed).fetch_add(1); }, nullptr,
      error);
  if (!producer) return false;
  for (const auto& r : records) {
    while (producer->Produce(r.topic, r.key, r.value, {}, 0) == sinks::ProduceStatus::kQueueFull) {
      producer->Poll(10);
    }
  }
  producer->Flush(60000);
  return failed.load() == 0 && acked.load() == static_cast<int64_t>(records.size());
}

namespace {

rd_kafka_t* NewConsumer(const std::string& bootstrap, const std::string& group) {
  char errstr[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "group.id", group.c_str(), errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "enable.partition.eof", "true", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "fetch.wait.max.ms", "50", errstr, sizeof errstr);
  return rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
}

int Partitions(rd_kafka_t* rk, const std::string& topic) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  int n = 0;
  if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1) {
    n = md->topics[0].partition_cnt;
  }
  if (md != nullptr) rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  return n;
}

}  // namespace

std::vector<Record> ReadTopic(const std::string& bootstrap, const std::string& topic) {
  std::vector<Record> out;
  rd_kafka_t* rk = NewConsumer(bootstrap, "earshot-test-reader");
  int partitions = Partitions(rk, topic);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  std::vector<int64_t> ends(static_cast<size_t>(partitions), 0);
  for (int p = 0; p < partitions; ++p) {
    int64_t lo = 0, hi = 0;
    rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, 5000);
    ends[static_cast<size_t>(p)] = hi;
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  int eof = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (eof < partitions && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (m->offset >= ends[static_cast<size_t>(m->partition)]) ++eof;
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      Record r;
      r.topic = topic;
      r.partition = m->partition;
      r.offset = m->offset;
      if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) ==
                           RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          r.headers[name] = std::string(static_cast<const char*>(value), size);
        }
      }
      out.push_back(std::move(r));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

int64_t EndOffsets(const std::string& bootstrap, const std::string& topic) {
  rd_kafka_t* rk = NewConsumer(bootstrap, "earshot-test-reader");
  int partitions = Partitions(rk, topic);
  int64_t total = 0;
  for (int p = 0; p < partitions; ++p) {
    int64_t lo = 0, hi = 0;
    rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, 5000);
    total += hi;
  }
  rd_kafka_destroy(rk);
  return total;
}

int64_t CommittedOffsets(const std::string& bootstrap, const std::string& group,
                         const std::string& topic, int partitions) {
  rd_kafka_t* rk = NewConsumer(bootstrap, group);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  int64_t total = 0;
  if (rd_kafka_committed(rk, list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i) total += std::max<int64_t>(0, list->elems[i].offset);
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
  return total;
}

int HttpGet(int port, const std::string& path, std::string* body) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return 0;
  }
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return 0;
  }
  std::string resp;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<size_t>(n));
  close(fd);
  if (resp.size() < 12) return 0;
  if (body != nullptr) {
    size_t split = resp.find("\r\n\r\n");
    *body = split == std::string::npos ? "" : resp.substr(split + 4);
  }
  return std::atoi(resp.substr(9, 3).c_str());
}

std::multiset<std::pair<std::string, std::string>> EnrichedPairs(const std::vector<Record>& records) {
  std::multiset<std::pair<std::string, std::string>> pairs;
  simdjson::dom::parser parser;
  for (const auto& r : records) {
    simdjson::dom::element doc;
    if (parser.parse(r.value).get(doc)) continue;
    std::string_view post_id, brand_id;
    if (doc["post"]["id"].get(post_id) || doc["brand"]["id"].get(brand_id)) continue;
    pairs.emplace(std::string(post_id), std::string(brand_id));
  }
  return pairs;
}

}  // namespace earshot::testing
