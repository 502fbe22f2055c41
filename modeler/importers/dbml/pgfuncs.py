"""Names of PostgreSQL's own functions, to tell a DBML default, check or index expression
that calls another database's function (``getdate()``, ``LEN(x)``) from one PostgreSQL runs.

Generated from PostgreSQL 15's catalog: the functions of ``pg_catalog`` that SQL can call
(no I/O, support, internal or operator-implementing functions), with the type categories of
their first argument and whether any overload is immutable (an index may call it)::

    SELECT p.proname,
           string_agg(DISTINCT CASE WHEN p.pronargs = 0 THEN '0'
                                    WHEN t.typtype = 'p' OR t.typcategory IN ('P', 'X')
                                    THEN '*' ELSE t.typcategory END, ''),
           bool_or(p.provolatile = 'i')
      FROM pg_proc p LEFT JOIN pg_type t ON t.oid = p.proargtypes[0]
     WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind IN ('f', 'a', 'w')
       AND p.prorettype NOT IN ('internal'::regtype, 'trigger'::regtype, ...handlers)
       AND NOT 'internal'::regtype = ANY (p.proargtypes)
       AND NOT 'cstring'::regtype = ANY (p.proargtypes)
       AND NOT EXISTS (SELECT 1 FROM pg_operator o
                        WHERE p.oid IN (o.oprcode, o.oprrest, o.oprjoin))
       AND coalesce(obj_description(p.oid, 'pg_proc'), '')
           !~ '^(implementation of|I/O|support|internal)'
       AND p.proname !~ '^binary_upgrade'
     GROUP BY 1

Functions SQL spells as keywords (``coalesce``, ``current_timestamp``, ``trim``,
``extract``...) never reach the check: PostgreSQL's parser turns them into their own nodes
or into ``pg_catalog.``-qualified calls.
"""

from __future__ import annotations

# name:C! -- C: the type categories (pg_type.typcategory) the first argument of some overload
# takes ("0": an overload without arguments, "*": any type); "!": some overload is immutable.
_CATALOG = """
    abbrev:I! abs:N! acldefault:Z! aclexplode:A acos:N! acosd:N! acosh:N! age:DU! amvalidate:N
    area:G! array_agg:*! array_dims:*! array_fill:*! array_larger:*! array_length:*!
    array_lower:*! array_ndims:*! array_position:*! array_positions:*! array_remove:*!
    array_replace:*! array_smaller:*! array_to_json:* array_to_string:* array_to_tsvector:A!
    array_upper:*! ascii:S! asin:N! asind:N! asinh:N! atan:N! atan2:N! atan2d:N! atand:N! atanh:N!
    avg:NT! bit:NV! bit_and:NV! bit_count:UV! bit_length:SUV! bit_or:NV! bit_xor:NV! bitcmp:V!
    bool:NU! bool_and:B! bool_or:B! booland_statefunc:B! boolor_statefunc:B! bound_box:G! box:G!
    bpchar:SZ! bpchar_larger:S! bpchar_smaller:S! bpcharcmp:S! brin_desummarize_range:N
    brin_summarize_new_values:N brin_summarize_range:N broadcast:I! btarraycmp:*! btboolcmp:B!
    btbpchar_pattern_cmp:S! btcharcmp:Z! btequalimage:N! btfloat48cmp:N! btfloat4cmp:N!
    btfloat84cmp:N! btfloat8cmp:N! btint24cmp:N! btint28cmp:N! btint2cmp:N! btint42cmp:N!
    btint48cmp:N! btint4cmp:N! btint82cmp:N! btint84cmp:N! btint8cmp:N! btnamecmp:S!
    btnametextcmp:S! btoidcmp:N! btoidvectorcmp:A! btrecordcmp:*! btrecordimagecmp:*! btrim:SU!
    bttext_pattern_cmp:S! bttextcmp:S! bttextnamecmp:S! bttidcmp:U! btvarstrequalimage:N!
    byteacmp:U! cardinality:*! cash_cmp:N! cash_words:N! cashlarger:N! cashsmaller:N! cbrt:N!
    ceil:N! ceiling:N! center:G! char:NS! char_length:S! character_length:S! chr:N! cidr:I!
    circle:G! clock_timestamp:0 col_description:N concat:* concat_ws:S convert:U convert_from:U
    convert_to:S corr:N! cos:N! cosd:N! cosh:N! cot:N! cotd:N! count:*! covar_pop:N! covar_samp:N!
    cume_dist:*! current_database:0 current_query:0 current_schema:0 current_schemas:B
    current_setting:S current_user:0 currtid2:S currval:N cursor_to_xml:U cursor_to_xmlschema:U
    database_to_xml:B database_to_xml_and_xmlschema:B database_to_xmlschema:B date:D! date_bin:T!
    date_cmp:D! date_cmp_timestamp:D! date_cmp_timestamptz:D date_larger:D! date_part:S!
    date_smaller:D! date_trunc:S! datemultirange:0AR! daterange:D! daterange_canonical:R!
    daterange_subdiff:D! decode:S! degrees:N! dense_rank:*! dexp:N! diagonal:G! diameter:G! div:N!
    dlog1:N! dlog10:N! dround:N! dtrunc:N! encode:U! enum_cmp:*! enum_first:* enum_larger:*!
    enum_last:* enum_range:* enum_smaller:*! every:B! exp:N! extract:S! factorial:N! family:I!
    first_value:*! float4:NU! float4_accum:A! float4larger:N! float4smaller:N! float8:NU!
    float8_accum:A! float8_avg:A! float8_combine:A! float8_corr:A! float8_covar_pop:A!
    float8_covar_samp:A! float8_regr_accum:A! float8_regr_avgx:A! float8_regr_avgy:A!
    float8_regr_combine:A! float8_regr_intercept:A! float8_regr_r2:A! float8_regr_slope:A!
    float8_regr_sxx:A! float8_regr_sxy:A! float8_regr_syy:A! float8_stddev_pop:A!
    float8_stddev_samp:A! float8_var_pop:A! float8_var_samp:A! float8larger:N! float8smaller:N!
    floor:N! fmgr_c_validator:N fmgr_internal_validator:N fmgr_sql_validator:N format:S
    format_type:N gcd:N! gen_random_uuid:0 generate_series:DN! generate_subscripts:*! get_bit:UV!
    get_byte:U! get_current_ts_config:0 getdatabaseencoding:0 getpgusername:0
    gin_clean_pending_list:N gin_cmp_tslexeme:S! gin_compare_jsonb:S! has_any_column_privilege:NS
    has_column_privilege:NS has_database_privilege:NS has_foreign_data_wrapper_privilege:NS
    has_function_privilege:NS has_language_privilege:NS has_parameter_privilege:NS
    has_schema_privilege:NS has_sequence_privilege:NS has_server_privilege:NS
    has_table_privilege:NS has_tablespace_privilege:NS has_type_privilege:NS hash_aclitem:U!
    hash_aclitem_extended:U! hash_array:*! hash_array_extended:*! hash_multirange:*!
    hash_multirange_extended:*! hash_numeric:N! hash_numeric_extended:N! hash_range:*!
    hash_range_extended:*! hash_record:*! hash_record_extended:*! hashbpchar:S!
    hashbpcharextended:S! hashchar:Z! hashcharextended:Z! hashenum:*! hashenumextended:*!
    hashfloat4:N! hashfloat4extended:N! hashfloat8:N! hashfloat8extended:N! hashinet:I!
    hashinetextended:I! hashint2:N! hashint2extended:N! hashint4:N! hashint4extended:N!
    hashint8:N! hashint8extended:N! hashmacaddr:U! hashmacaddr8:U! hashmacaddr8extended:U!
    hashmacaddrextended:U! hashname:S! hashnameextended:S! hashoid:N! hashoidextended:N!
    hashoidvector:A! hashoidvectorextended:A! hashtext:S! hashtextextended:S! hashtid:U!
    hashtidextended:U! height:G! host:I! hostmask:I! in_range:DNT! inet_client_addr:0
    inet_client_port:0 inet_merge:I! inet_same_family:I! inet_server_addr:0 inet_server_port:0
    initcap:S! int2:NU! int2_avg_accum:A! int2_avg_accum_inv:A! int2_sum:N! int2int4_sum:A!
    int2larger:N! int2smaller:N! int4:BNUVZ! int4_avg_accum:A! int4_avg_accum_inv:A!
    int4_avg_combine:A! int4_sum:N! int4inc:N! int4larger:N! int4multirange:0AR! int4range:N!
    int4range_canonical:R! int4range_subdiff:N! int4smaller:N! int8:NUV! int8_avg:A! int8_sum:N!
    int8dec:N! int8dec_any:N! int8inc:N! int8inc_any:N! int8inc_float8_float8:N! int8larger:N!
    int8multirange:0AR! int8range:N! int8range_canonical:R! int8range_subdiff:N! int8smaller:N!
    interval:DT! interval_accum:A! interval_accum_inv:A! interval_avg:A! interval_cmp:T!
    interval_combine:A! interval_hash:T! interval_hash_extended:T! interval_larger:T!
    interval_smaller:T! is_normalized:S! isclosed:G! isempty:*! isfinite:DT! ishorizontal:G!
    isopen:G! isparallel:G! isperp:G! isvertical:G! json_agg:* json_array_elements:U!
    json_array_elements_text:U! json_array_length:U! json_build_array:* json_build_object:*
    json_each:U! json_each_text:U! json_object:A! json_object_agg:* json_object_keys:U!
    json_populate_record:* json_populate_recordset:* json_strip_nulls:U! json_to_record:U
    json_to_recordset:U json_to_tsvector:NU! json_typeof:U! jsonb_agg:* jsonb_array_elements:U!
    jsonb_array_elements_text:U! jsonb_array_length:U! jsonb_build_array:* jsonb_build_object:*
    jsonb_cmp:U! jsonb_each:U! jsonb_each_text:U! jsonb_hash:U! jsonb_hash_extended:U!
    jsonb_insert:U! jsonb_object:A! jsonb_object_agg:*! jsonb_object_keys:U! jsonb_path_exists:U!
    jsonb_path_exists_tz:U jsonb_path_match:U! jsonb_path_match_tz:U jsonb_path_query:U!
    jsonb_path_query_array:U! jsonb_path_query_array_tz:U jsonb_path_query_first:U!
    jsonb_path_query_first_tz:U jsonb_path_query_tz:U jsonb_populate_record:*
    jsonb_populate_recordset:* jsonb_pretty:U! jsonb_set:U! jsonb_set_lax:U! jsonb_strip_nulls:U!
    jsonb_to_record:U jsonb_to_recordset:U jsonb_to_tsvector:NU! jsonb_typeof:U! justify_days:T!
    justify_hours:T! justify_interval:T! lag:*! last_value:*! lastval:0 lcm:N! lead:*! left:S!
    length:GSUV! like:SU! like_escape:SU! line:G! ln:N! lo_close:N lo_creat:N lo_create:N
    lo_export:N lo_from_bytea:N lo_get:N lo_import:S lo_lseek:N lo_lseek64:N lo_open:N lo_put:N
    lo_tell:N lo_tell64:N lo_truncate:N lo_truncate64:N lo_unlink:N log:N! log10:N! loread:N
    lower:*! lower_inc:*! lower_inf:*! lowrite:N lpad:S! lseg:G! ltrim:SU! macaddr:U! macaddr8:U!
    macaddr8_cmp:U! macaddr8_set7bit:U! macaddr_cmp:U! make_date:N! make_interval:N! make_time:N!
    make_timestamp:N! make_timestamptz:N makeaclitem:N! masklen:I! max:*! md5:SU! min:*!
    min_scale:N! mod:N! mode:*! money:N multirange:*! multirange_cmp:*!
    multirange_intersect_agg_transfn:*! mxid_age:U name:S! nameconcatoid:S! netmask:I! network:I!
    network_cmp:I! network_larger:I! network_smaller:I! nextval:N normalize:S! notlike:SU! now:0
    npoints:G! nth_value:*! ntile:N! num_nonnulls:*! num_nulls:*! numeric:NU! numeric_cmp:N!
    numeric_div_trunc:N! numeric_exp:N! numeric_inc:N! numeric_larger:N! numeric_ln:N!
    numeric_log:N! numeric_smaller:N! numeric_sqrt:N! nummultirange:0AR! numnode:U! numrange:N!
    numrange_subdiff:N! obj_description:N octet_length:SUV! oid:N! oidlarger:N! oidsmaller:N!
    oidvectortypes:A overlaps:D! overlay:SUV! parse_ident:S! path:G! pclose:G! percent_rank:*!
    percentile_cont:AN! percentile_disc:AN! pg_advisory_lock:N pg_advisory_lock_shared:N
    pg_advisory_unlock:N pg_advisory_unlock_all:0 pg_advisory_unlock_shared:N
    pg_advisory_xact_lock:N pg_advisory_xact_lock_shared:N pg_available_extension_versions:0
    pg_available_extensions:0 pg_backend_pid:0 pg_backup_start:S pg_backup_stop:B
    pg_blocking_pids:N pg_cancel_backend:N pg_char_to_encoding:S pg_client_encoding:0
    pg_collation_actual_version:N pg_collation_for:* pg_collation_is_visible:N
    pg_column_compression:* pg_column_is_updatable:N pg_column_size:* pg_conf_load_time:0
    pg_config:0 pg_control_checkpoint:0 pg_control_init:0 pg_control_recovery:0
    pg_control_system:0 pg_conversion_is_visible:N pg_copy_logical_replication_slot:S
    pg_copy_physical_replication_slot:S pg_create_logical_replication_slot:S
    pg_create_physical_replication_slot:S pg_create_restore_point:S pg_current_logfile:0S
    pg_current_snapshot:0 pg_current_wal_flush_lsn:0 pg_current_wal_insert_lsn:0
    pg_current_wal_lsn:0 pg_current_xact_id:0 pg_current_xact_id_if_assigned:0 pg_cursor:0
    pg_database_collation_actual_version:N pg_database_size:NS pg_describe_object:N
    pg_drop_replication_slot:S pg_encoding_max_length:N! pg_encoding_to_char:N
    pg_event_trigger_ddl_commands:0 pg_event_trigger_dropped_objects:0
    pg_event_trigger_table_rewrite_oid:0 pg_event_trigger_table_rewrite_reason:0
    pg_export_snapshot:0 pg_extension_config_dump:N pg_extension_update_paths:S
    pg_filenode_relation:N pg_function_is_visible:N pg_get_backend_memory_contexts:0
    pg_get_catalog_foreign_keys:0 pg_get_constraintdef:N pg_get_expr:Z
    pg_get_function_arg_default:N pg_get_function_arguments:N pg_get_function_identity_arguments:N
    pg_get_function_result:N pg_get_function_sqlbody:N pg_get_functiondef:N pg_get_indexdef:N
    pg_get_keywords:0 pg_get_multixact_members:U pg_get_object_address:S
    pg_get_partition_constraintdef:N pg_get_partkeydef:N pg_get_publication_tables:S
    pg_get_replica_identity_index:N pg_get_replication_slots:0 pg_get_ruledef:N
    pg_get_serial_sequence:S pg_get_shmem_allocations:0 pg_get_statisticsobjdef:N
    pg_get_statisticsobjdef_columns:N pg_get_statisticsobjdef_expressions:N pg_get_triggerdef:N
    pg_get_userbyid:N pg_get_viewdef:NS pg_get_wal_replay_pause_state:0
    pg_get_wal_resource_managers:0 pg_has_role:NS pg_hba_file_rules:0 pg_ident_file_mappings:0
    pg_identify_object:N pg_identify_object_as_address:N pg_import_system_collations:N
    pg_index_column_has_property:N pg_index_has_property:N pg_indexam_has_property:N
    pg_indexam_progress_phasename:N! pg_indexes_size:N pg_is_in_recovery:0
    pg_is_other_temp_schema:N pg_is_wal_replay_paused:0 pg_isolation_test_session_is_blocked:N
    pg_jit_available:0 pg_last_committed_xact:0 pg_last_wal_receive_lsn:0 pg_last_wal_replay_lsn:0
    pg_last_xact_replay_timestamp:0 pg_listening_channels:0 pg_lock_status:0
    pg_log_backend_memory_contexts:N pg_logical_emit_message:B
    pg_logical_slot_get_binary_changes:S pg_logical_slot_get_changes:S
    pg_logical_slot_peek_binary_changes:S pg_logical_slot_peek_changes:S pg_ls_archive_statusdir:0
    pg_ls_dir:S pg_ls_logdir:0 pg_ls_logicalmapdir:0 pg_ls_logicalsnapdir:0 pg_ls_replslotdir:S
    pg_ls_tmpdir:0N pg_ls_waldir:0 pg_lsn:N! pg_lsn_cmp:U! pg_lsn_hash:U! pg_lsn_hash_extended:U!
    pg_lsn_larger:U! pg_lsn_smaller:U! pg_mcv_list_items:Z pg_my_temp_schema:0 pg_nextoid:N
    pg_notification_queue_usage:0 pg_notify:S pg_opclass_is_visible:N pg_operator_is_visible:N
    pg_opfamily_is_visible:N pg_options_to_table:A pg_partition_ancestors:N pg_partition_root:N!
    pg_partition_tree:N pg_postmaster_start_time:0 pg_prepared_statement:0 pg_prepared_xact:0
    pg_promote:B pg_read_binary_file:S pg_read_file:S pg_read_file_old:S pg_relation_filenode:N
    pg_relation_filepath:N pg_relation_is_publishable:N pg_relation_is_updatable:N
    pg_relation_size:N pg_reload_conf:0 pg_replication_origin_advance:S
    pg_replication_origin_create:S pg_replication_origin_drop:S pg_replication_origin_oid:S
    pg_replication_origin_progress:S pg_replication_origin_session_is_setup:0
    pg_replication_origin_session_progress:B pg_replication_origin_session_reset:0
    pg_replication_origin_session_setup:S pg_replication_origin_xact_reset:0
    pg_replication_origin_xact_setup:U pg_replication_slot_advance:S pg_rotate_logfile:0
    pg_rotate_logfile_old:0 pg_safe_snapshot_blocking_pids:N pg_sequence_last_value:N
    pg_sequence_parameters:N pg_settings_get_flags:S pg_show_all_file_settings:0
    pg_show_all_settings:0 pg_show_replication_origin_status:0 pg_size_bytes:S! pg_size_pretty:N!
    pg_sleep:N pg_sleep_for:T pg_sleep_until:D pg_snapshot_xip:U! pg_snapshot_xmax:U!
    pg_snapshot_xmin:U! pg_stat_clear_snapshot:0 pg_stat_file:S pg_stat_force_next_flush:0
    pg_stat_get_activity:N pg_stat_get_analyze_count:N pg_stat_get_archiver:0
    pg_stat_get_autoanalyze_count:N pg_stat_get_autovacuum_count:N pg_stat_get_backend_activity:N
    pg_stat_get_backend_activity_start:N pg_stat_get_backend_client_addr:N
    pg_stat_get_backend_client_port:N pg_stat_get_backend_dbid:N pg_stat_get_backend_idset:0
    pg_stat_get_backend_pid:N pg_stat_get_backend_start:N pg_stat_get_backend_userid:N
    pg_stat_get_backend_wait_event:N pg_stat_get_backend_wait_event_type:N
    pg_stat_get_backend_xact_start:N pg_stat_get_bgwriter_buf_written_checkpoints:0
    pg_stat_get_bgwriter_buf_written_clean:0 pg_stat_get_bgwriter_maxwritten_clean:0
    pg_stat_get_bgwriter_requested_checkpoints:0 pg_stat_get_bgwriter_stat_reset_time:0
    pg_stat_get_bgwriter_timed_checkpoints:0 pg_stat_get_blocks_fetched:N pg_stat_get_blocks_hit:N
    pg_stat_get_buf_alloc:0 pg_stat_get_buf_fsync_backend:0 pg_stat_get_buf_written_backend:0
    pg_stat_get_checkpoint_sync_time:0 pg_stat_get_checkpoint_write_time:0
    pg_stat_get_db_active_time:N pg_stat_get_db_blk_read_time:N pg_stat_get_db_blk_write_time:N
    pg_stat_get_db_blocks_fetched:N pg_stat_get_db_blocks_hit:N pg_stat_get_db_checksum_failures:N
    pg_stat_get_db_checksum_last_failure:N pg_stat_get_db_conflict_all:N
    pg_stat_get_db_conflict_bufferpin:N pg_stat_get_db_conflict_lock:N
    pg_stat_get_db_conflict_snapshot:N pg_stat_get_db_conflict_startup_deadlock:N
    pg_stat_get_db_conflict_tablespace:N pg_stat_get_db_deadlocks:N
    pg_stat_get_db_idle_in_transaction_time:N pg_stat_get_db_numbackends:N
    pg_stat_get_db_session_time:N pg_stat_get_db_sessions:N pg_stat_get_db_sessions_abandoned:N
    pg_stat_get_db_sessions_fatal:N pg_stat_get_db_sessions_killed:N
    pg_stat_get_db_stat_reset_time:N pg_stat_get_db_temp_bytes:N pg_stat_get_db_temp_files:N
    pg_stat_get_db_tuples_deleted:N pg_stat_get_db_tuples_fetched:N
    pg_stat_get_db_tuples_inserted:N pg_stat_get_db_tuples_returned:N
    pg_stat_get_db_tuples_updated:N pg_stat_get_db_xact_commit:N pg_stat_get_db_xact_rollback:N
    pg_stat_get_dead_tuples:N pg_stat_get_function_calls:N pg_stat_get_function_self_time:N
    pg_stat_get_function_total_time:N pg_stat_get_ins_since_vacuum:N
    pg_stat_get_last_analyze_time:N pg_stat_get_last_autoanalyze_time:N
    pg_stat_get_last_autovacuum_time:N pg_stat_get_last_vacuum_time:N pg_stat_get_live_tuples:N
    pg_stat_get_mod_since_analyze:N pg_stat_get_numscans:N pg_stat_get_progress_info:S
    pg_stat_get_recovery_prefetch:0 pg_stat_get_replication_slot:S pg_stat_get_slru:0
    pg_stat_get_snapshot_timestamp:0 pg_stat_get_subscription:N pg_stat_get_subscription_stats:N
    pg_stat_get_tuples_deleted:N pg_stat_get_tuples_fetched:N pg_stat_get_tuples_hot_updated:N
    pg_stat_get_tuples_inserted:N pg_stat_get_tuples_returned:N pg_stat_get_tuples_updated:N
    pg_stat_get_vacuum_count:N pg_stat_get_wal:0 pg_stat_get_wal_receiver:0
    pg_stat_get_wal_senders:0 pg_stat_get_xact_blocks_fetched:N pg_stat_get_xact_blocks_hit:N
    pg_stat_get_xact_function_calls:N pg_stat_get_xact_function_self_time:N
    pg_stat_get_xact_function_total_time:N pg_stat_get_xact_numscans:N
    pg_stat_get_xact_tuples_deleted:N pg_stat_get_xact_tuples_fetched:N
    pg_stat_get_xact_tuples_hot_updated:N pg_stat_get_xact_tuples_inserted:N
    pg_stat_get_xact_tuples_returned:N pg_stat_get_xact_tuples_updated:N pg_stat_have_stats:S
    pg_stat_reset:0 pg_stat_reset_replication_slot:S pg_stat_reset_shared:S
    pg_stat_reset_single_function_counters:N pg_stat_reset_single_table_counters:N
    pg_stat_reset_slru:S pg_stat_reset_subscription_stats:N pg_statistics_obj_is_visible:N
    pg_stop_making_pinned_objects:0 pg_switch_wal:0 pg_table_is_visible:N pg_table_size:N
    pg_tablespace_databases:N pg_tablespace_location:N pg_tablespace_size:NS
    pg_terminate_backend:N pg_timezone_abbrevs:0 pg_timezone_names:0 pg_total_relation_size:N
    pg_trigger_depth:0 pg_try_advisory_lock:N pg_try_advisory_lock_shared:N
    pg_try_advisory_xact_lock:N pg_try_advisory_xact_lock_shared:N pg_ts_config_is_visible:N
    pg_ts_dict_is_visible:N pg_ts_parser_is_visible:N pg_ts_template_is_visible:N
    pg_type_is_visible:N pg_typeof:* pg_visible_in_snapshot:U! pg_wal_lsn_diff:U!
    pg_wal_replay_pause:0 pg_wal_replay_resume:0 pg_walfile_name:U! pg_walfile_name_offset:U!
    pg_xact_commit_timestamp:U pg_xact_commit_timestamp_origin:U pg_xact_status:U
    phraseto_tsquery:NS! pi:0! plainto_tsquery:NS! plpgsql_validator:N point:GN! polygon:GN!
    popen:G! position:SUV! postgresql_fdw_validator:A! pow:N! power:N! query_to_xml:S
    query_to_xml_and_xmlschema:S query_to_xmlschema:S querytree:U! quote_ident:S! quote_literal:*!
    quote_nullable:*! radians:N! radius:G! random:0 range_agg:*! range_cmp:*!
    range_intersect_agg:*! range_intersect_agg_transfn:*! range_merge:*! rank:*! regclass:S
    regexp_count:S! regexp_instr:S! regexp_like:S! regexp_match:S! regexp_matches:S!
    regexp_replace:S! regexp_split_to_array:S! regexp_split_to_table:S! regexp_substr:S!
    regr_avgx:N! regr_avgy:N! regr_count:N! regr_intercept:N! regr_r2:N! regr_slope:N! regr_sxx:N!
    regr_sxy:N! regr_syy:N! repeat:S! replace:S! reverse:S! right:S! round:N! row_number:0!
    row_security_active:NS row_to_json:* rpad:S! rtrim:SU! satisfies_hash_partition:N! scale:N!
    schema_to_xml:S schema_to_xml_and_xmlschema:S schema_to_xmlschema:S session_user:0 set_bit:UV!
    set_byte:U! set_config:S set_masklen:I! setseed:N setval:N setweight:U! sha224:U! sha256:U!
    sha384:U! sha512:U! shobj_description:N sign:N! similar_escape:S! similar_to_escape:S! sin:N!
    sind:N! sinh:N! slope:G! spg_poly_quad_compress:G! split_part:S! sqrt:N! statement_timestamp:0
    stddev:N! stddev_pop:N! stddev_samp:N! string_agg:SU! string_to_array:S! string_to_table:S!
    strip:U! strpos:S! substr:SU! substring:SUV! sum:NT! table_to_xml:N
    table_to_xml_and_xmlschema:N table_to_xmlschema:N tan:N! tand:N! tanh:N! text:BISUZ!
    text_larger:S! text_smaller:S! textlen:S! tidlarger:U! tidsmaller:U! time:DT! time_cmp:D!
    time_hash:D! time_hash_extended:D! time_larger:D! time_smaller:D! timeofday:0 timestamp:D!
    timestamp_cmp:D! timestamp_cmp_date:D! timestamp_cmp_timestamptz:D timestamp_hash:D!
    timestamp_hash_extended:D! timestamp_larger:D! timestamp_smaller:D! timestamptz:D!
    timestamptz_cmp:D! timestamptz_cmp_date:D timestamptz_cmp_timestamp:D timestamptz_larger:D!
    timestamptz_smaller:D! timetz:D! timetz_cmp:D! timetz_hash:D! timetz_hash_extended:D!
    timetz_larger:D! timetz_smaller:D! timezone:ST! to_ascii:S! to_char:DNT to_date:S to_hex:N!
    to_json:* to_jsonb:* to_number:S to_regclass:S to_regcollation:S to_regnamespace:S
    to_regoper:S to_regoperator:S to_regproc:S to_regprocedure:S to_regrole:S to_regtype:S
    to_timestamp:NS! to_tsquery:NS! to_tsvector:NSU! transaction_timestamp:0 translate:S!
    trim_array:*! trim_scale:N! trunc:NU! ts_debug:NS ts_delete:U! ts_filter:U! ts_headline:NSU!
    ts_lexize:N! ts_parse:NS! ts_rank:AU! ts_rank_cd:AU! ts_rewrite:U! ts_stat:S ts_token_type:NS!
    tsmultirange:0AR! tsquery_cmp:U! tsquery_phrase:U! tsrange:D! tsrange_subdiff:D!
    tstzmultirange:0AR! tstzrange:D! tstzrange_subdiff:D! tsvector_cmp:U! tsvector_to_array:U!
    txid_current:0 txid_current_if_assigned:0 txid_current_snapshot:0 txid_snapshot_xip:U!
    txid_snapshot_xmax:U! txid_snapshot_xmin:U! txid_status:N txid_visible_in_snapshot:N!
    unistr:S! unnest:*! upper:*! upper_inc:*! upper_inf:*! uuid_cmp:U! uuid_hash:U!
    uuid_hash_extended:U! var_pop:N! var_samp:N! varbit:V! varbitcmp:V! varchar:S! variance:N!
    version:0 websearch_to_tsquery:NS! width:G! width_bucket:*! xid:U! xid8_larger:U!
    xid8_smaller:U! xid8cmp:U! xml:S xml_is_well_formed:S xml_is_well_formed_content:S!
    xml_is_well_formed_document:S! xmlagg:U! xmlcomment:S! xmlconcat2:U! xmlexists:S!
    xmlvalidate:U! xpath:S! xpath_exists:S!
"""
PG_FUNCTIONS: dict[str, tuple[str, bool]] = {
    entry.split(":")[0]: (entry.split(":")[1].rstrip("!"), entry.endswith("!"))
    for entry in _CATALOG.split()}

# Other databases' functions with a PostgreSQL equivalent: name -> (PostgreSQL function,
# whether its arguments are kept). ``getdate()`` -> ``now()``, ``len(x)`` -> ``length(x)``.
DIALECT_FUNCTIONS: dict[str, tuple[str, bool]] = {
    "getdate": ("now", False), "sysdatetime": ("now", False),
    "sysdatetimeoffset": ("now", False), "current_timestamp": ("now", False),
    "curdate": ("current_date", False), "sysdate": ("now", False),
    "systimestamp": ("now", False), "utc_timestamp": ("now", False),
    "newid": ("gen_random_uuid", False), "newsequentialid": ("gen_random_uuid", False),
    "uuid": ("gen_random_uuid", False), "sys_guid": ("gen_random_uuid", False),
    "len": ("length", True),
    "datalength": ("octet_length", True), "lcase": ("lower", True),
    "ucase": ("upper", True), "ifnull": ("COALESCE", True), "isnull": ("COALESCE", True),
    "nvl": ("COALESCE", True), "substring_index": ("split_part", True),
}

# Functions of extensions that DBML cannot declare: name -> extension (added to the design).
EXTENSION_FUNCTIONS: dict[str, str] = {
    "uuid_generate_v1": "uuid-ossp", "uuid_generate_v1mc": "uuid-ossp",
    "uuid_generate_v3": "uuid-ossp", "uuid_generate_v4": "uuid-ossp",
    "uuid_generate_v5": "uuid-ossp", "uuid_nil": "uuid-ossp", "uuid_ns_dns": "uuid-ossp",
    "uuid_ns_url": "uuid-ossp", "uuid_ns_oid": "uuid-ossp", "uuid_ns_x500": "uuid-ossp",
    "gen_salt": "pgcrypto", "crypt": "pgcrypto", "digest": "pgcrypto", "hmac": "pgcrypto",
    "gen_random_bytes": "pgcrypto", "pgp_sym_encrypt": "pgcrypto",
    "pgp_sym_decrypt": "pgcrypto", "armor": "pgcrypto", "dearmor": "pgcrypto",
    "similarity": "pg_trgm", "word_similarity": "pg_trgm", "unaccent": "unaccent",
    "levenshtein": "fuzzystrmatch", "soundex": "fuzzystrmatch",
    "metaphone": "fuzzystrmatch", "dmetaphone": "fuzzystrmatch",
}
