// config_toml.cpp: TOML to the JSON of a config.json (see config_toml.h). Only the shape is made here: the
// names, the number of keys and the values' sense are checked by the config.json reader afterwards.
#include "config_toml.h"

#include <cjson/cJSON.h>
#include <cpptoml.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

namespace {

// One TOML value as a JSON value: strings, integers, floats and booleans; anything else is NULL.
cJSON *json_of(const std::shared_ptr<cpptoml::base> &v) {
    if (auto s = v->as<std::string>()) return cJSON_CreateString(s->get().c_str());
    if (auto i = v->as<int64_t>()) return cJSON_CreateNumber(static_cast<double>(i->get()));
    if (auto d = v->as<double>()) return cJSON_CreateNumber(d->get());
    if (auto b = v->as<bool>()) return cJSON_CreateBool(b->get());
    return nullptr;
}

// The root table's keys: `preset` (a string) and the table `params`; anything else is named in msg.
cJSON *config_of(const cpptoml::table &root, std::string &msg) {
    auto preset = root.get_as<std::string>("preset");
    if (!preset) {
        msg = "no preset = \"NAME\" at the top (groklab list shows the presets)";
        return nullptr;
    }
    cJSON *o = cJSON_CreateObject(), *params = cJSON_AddObjectToObject(o, "params");
    cJSON_AddStringToObject(o, "preset", preset->c_str());
    for (const auto &kv : root) {
        if (kv.first == "preset") continue;
        if (kv.first != "params" || !kv.second->is_table()) {
            msg = "'" + kv.first + "' at the top: only preset = \"NAME\" and a [params] table are allowed";
            cJSON_Delete(o);
            return nullptr;
        }
    }
    auto table = root.get_table("params");
    if (table)
        for (const auto &kv : *table) {
            cJSON *v = json_of(kv.second);
            if (!v) {
                msg = "params." + kv.first + " is not a number, a string or true/false";
                cJSON_Delete(o);
                return nullptr;
            }
            cJSON_AddItemToObject(params, kv.first.c_str(), v);
        }
    return o;
}

} // namespace

extern "C" char *gk_cli_toml_to_json(const char *text, size_t len, char *msg, size_t msglen) {
    std::string why;
    cJSON *o = nullptr;
    try {
        std::istringstream in(std::string(text, len));
        cpptoml::parser p(in);
        o = config_of(*p.parse(), why);
    } catch (const std::exception &e) { // cpptoml::parse_exception, or out of memory
        why = e.what();
    }
    char *json = o ? cJSON_PrintUnformatted(o) : nullptr;
    cJSON_Delete(o);
    if (!json) std::snprintf(msg, msglen, "%s", why.empty() ? "out of memory" : why.c_str());
    return json;
}
