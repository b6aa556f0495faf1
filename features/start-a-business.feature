Feature: Start a business (开办企业)
  A company is registered and gets its seals, first invoices, social insurance, medical
  insurance, housing provident fund and a bank appointment from one online application: one
  form, one set of materials, no trip to any office.

  Background:
    Given the catalogue in "workflows"
    And today is 2026-11-02
    And an applicant "张三"

  Scenario: A complete application online is concluded without a single trip
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    Then the case is "in_progress"
    And item "Company establishment registration" is "ready"
    And item "Seal engraving filing" is "waiting"
    And the case is due on 2026-11-03
    And the supervision colour is "yellow"
    When the reviewer of "sc-amr" starts review of "330102-SCJG-QYSLDJ"
    And the reviewer of "sc-amr" approves "330102-SCJG-QYSLDJ"
    Then item "330102-GA-YZKZBA" is "ready"
    And the worklist of "sc-psb" has 1 task
    When every remaining item is approved
    Then the case is "ready_for_pickup"
    And the case outcome is "approved"
    When the clerk delivers the results electronically, mailing "seal-filing" under the tracking reference "EMS 1180 2345 678"
    And the applicant rates the service 5 saying "一次都没跑"
    And the clerk closes the case
    Then the case is "closed"
    And the case has 0 trips
    And the progress view shows "Application accepted"
    And the progress view masks the applicant's ID number

  Scenario: A missing material is notified once and supplied online
    When the applicant opens a case of "start-a-business" online
    And the applicant submits the application without "premises-lease"
    And the clerk accepts the case
    Then the action is refused with "incomplete"
    When the clerk gives the one-time notice
    Then the one-time notice lists:
      | kind     | id             |
      | material | premises-lease |
    And the case is "awaiting_materials"
    When the clerk gives the one-time notice
    Then the action is refused with "IllegalAction"
    When the applicant supplies "Copy of the premises tenancy contract" online
    And the clerk accepts the case
    Then the case is "in_progress"
    And the case has 0 trips

  Scenario: A form that fails an acceptance condition is notified with the condition
    When the applicant opens a case of "start-a-business" online
    And the applicant fills in the form:
      | field                                          | value |
      | housing_fund_rate                              | 20    |
      | Period to pay in the subscribed capital (years) | 3     |
    And the applicant submits a complete application
    And the clerk gives the one-time notice
    Then the one-time notice lists:
      | kind      | id                     |
      | condition | contribution-rate-range |
    When the applicant corrects the form online:
      | field             | value |
      | housing_fund_rate | 12    |
    And the clerk accepts the case
    Then the case is "in_progress"

  Scenario: Accepted with the tenancy contract owed, results issued once it arrives
    When the applicant opens a case of "start-a-business" online
    And the applicant submits the application without "premises-lease"
    And the clerk accepts the case owing "premises-lease"
    Then the materials owed are "premises-lease"
    And "premises-lease" is owed until 2026-11-09
    When every item is approved
    Then the case is "ready_for_pickup"
    When the clerk delivers the results electronically, mailing "seal-filing" under the tracking reference "EMS 1180 2345 678"
    Then the action is refused with "materials_owed"
    When the applicant supplies the owed "premises-lease" online
    Then no materials are owed
    When the clerk delivers the results electronically, mailing "seal-filing" under the tracking reference "EMS 1180 2345 678"
    Then the case is "delivered"

  Scenario: Only waivable materials may be owed
    When the applicant opens a case of "start-a-business" online
    And the applicant submits the application without "articles-of-association"
    And the clerk accepts the case owing "articles-of-association"
    Then the action is refused with "not_waivable"

  Scenario: An owed material not supplied in time terminates the case
    When the applicant opens a case of "start-a-business" online
    And the applicant submits the application without "premises-lease"
    And the clerk accepts the case owing "premises-lease"
    And 5 working days pass
    And the overdue scan runs
    Then the case is "in_progress"
    When 1 working day passes
    And the overdue scan runs
    Then the case is "terminated"
    And item "330102-SCJG-QYSLDJ" is "cancelled"

  Scenario: An owed material due in a year not yet published is provisional, and so is its termination
    Given today is 2026-12-28
    When the applicant opens a case of "start-a-business" online
    And the applicant submits the application without "premises-lease"
    And the clerk accepts the case owing "premises-lease"
    Then "premises-lease" is owed until 2027-01-05
    And the due date of "premises-lease" is provisional
    When 6 working days pass
    And the overdue scan runs
    Then the case is "terminated"
    And the termination records that its date was provisional
    And the progress view shows "Terminated: owed materials not supplied in time"

  Scenario: A correction supplied online stops the item's clock and costs no trip
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    And the reviewer starts review of "330102-SCJG-QYSLDJ"
    Then item "330102-SCJG-QYSLDJ" is due on 2026-11-03
    When the reviewer asks for a correction of "330102-SCJG-QYSLDJ" with "articles-of-association": "章程第五条出资期限与表单不一致"
    Then item "330102-SCJG-QYSLDJ" is "correction_requested"
    When 2 working days pass
    And the applicant supplies the correction of "330102-SCJG-QYSLDJ" at the window
    Then the action is refused with "not a channel allowed for correction"
    When the applicant supplies the correction of "330102-SCJG-QYSLDJ" online with "articles-of-association"
    Then item "330102-SCJG-QYSLDJ" is "in_review"
    And item "330102-SCJG-QYSLDJ" is due on 2026-11-05
    And the case has 0 trips

  Scenario: Refusing the registration cancels every item that needs the licence
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    And the reviewer of "sc-amr" refuses "330102-SCJG-QYSLDJ" because "名称与在先登记企业近似"
    Then the case is "ready_for_pickup"
    And the case outcome is "refused"
    And item "330102-GA-YZKZBA" is "cancelled"
    And the progress view shows "Item refused"

  Scenario: The case is red once its deadline has passed
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    And 2 working days pass
    Then the supervision colour is "red"
    And the supervisor lists the case as "red"

  Scenario: A reviewer acts only on the items of their own department
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    And the reviewer of "hz-partner-banks" starts review of "330102-SCJG-QYSLDJ"
    Then the action is refused with "NotAuthorised"
    And item "330102-SCJG-QYSLDJ" is "ready"

  Scenario: The applicant withdraws before the results are ready
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    And the applicant withdraws the case because "改为个体工商户"
    Then the case is "withdrawn"
    And item "330102-SCJG-QYSLDJ" is "cancelled"
    When the reviewer approves "330102-SCJG-QYSLDJ"
    Then the action is refused with "OS701"

  Scenario: A bad rating opens a rectification with a callback
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    And every item is approved
    And the clerk delivers the results electronically, mailing "seal-filing" under the tracking reference "EMS 1180 2345 678"
    And 4 days pass
    And the applicant rates the service 1 saying "材料退回三次"
    Then the progress view shows "Rectification opened"
    When the supervisor records the rectification: "优化补正流程"
    Then the action is refused with "callback"
    When the supervisor records the callback: "已电话回访"
    And the supervisor records the rectification: "优化补正流程"
    And the applicant rates the service 4
    Then the progress view shows "Rated after rectification"

  Scenario: The matter keeps its zero-trip promise whatever happens
    Then the matter "start-a-business" needs at most 0 trips
